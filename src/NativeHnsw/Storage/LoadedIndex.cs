using NativeHnsw.Graph;

namespace NativeHnsw.IndexFiles;

/// <summary>A file read and checked: its header, its blocks (owned by the receiver), its label index (null when implicit: labels ascend with node id) and its int8 quantizer, if trained.</summary>
internal sealed record LoadedIndex(IndexHeader Header, NativeGraphStorage Storage, int[]? LabelIndex, GraphSummary Summary, Distance.Int8Quantizer? Quantizer);
