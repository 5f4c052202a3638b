using NativeHnsw.Graph;

namespace NativeHnsw.Interchange;

/// <summary>A consistent view of an index for the exporters: the blocks and the counts published with them, taken under the index's save lock.</summary>
internal readonly record struct ExportedGraph(GraphStorage Storage, HnswOptions Options, int NodeCount, long UpperUsed, int EntryNode, int EntryLevel, int HiddenCount)
{
    public GraphView View => Storage.View(NodeCount, UpperUsed);
}
