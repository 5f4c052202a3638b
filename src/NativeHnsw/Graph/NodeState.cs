namespace NativeHnsw.Graph;

/// <summary>Per-node state byte. Every non-live node stays in the graph so that paths through it keep working.</summary>
internal enum NodeState : byte
{
    Live = 0,

    /// <summary>Hidden from results by MarkDeleted; Unmark brings it back.</summary>
    Deleted = 1,

    /// <summary>Its label was added again; the newer node answers for it. Never returned, never revived.</summary>
    Superseded = 2,
}
