using NativeHnsw.Graph;

namespace NativeHnsw.Storage;

/// <summary>A file read and checked: its header, its blocks (owned by the receiver) and its label index.</summary>
internal sealed record LoadedIndex(IndexHeader Header, NativeGraphStorage Storage, int[] LabelIndex, GraphSummary Summary);
