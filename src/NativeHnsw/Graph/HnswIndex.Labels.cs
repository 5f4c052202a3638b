using NativeHnsw.Graph;

namespace NativeHnsw;

public sealed partial class HnswIndex
{
    /// <summary>True when <paramref name="label"/> is in the index and not deleted.</summary>
    public bool Contains(long label)
    {
        while (true)
        {
            ThrowIfDisposed();
            lock (_allocLock)
            {
                // The lookup and the state read run under a lease: growth and Dispose free blocks without
                // taking this lock. Under it, the blocks in _storage hold every node the label map names.
                var storage = _storage;
                if (storage.TryAcquire())
                {
                    try
                    {
                        int node = storage.FindNode(label);
                        return node >= 0 && storage.State(node) == NodeState.Live;
                    }
                    finally
                    {
                        storage.Release();
                    }
                }
            }
            // Retired between the read and the lease: by growth (the next blocks are published), or by Dispose.
        }
    }

    /// <summary>
    /// Hides <paramref name="label"/> from every later search. The node stays in the graph as a
    /// waypoint, so recall for the other vectors does not drop. Deleting twice is allowed.
    /// </summary>
    /// <exception cref="LabelNotFoundException">The label was never added.</exception>
    public void MarkDeleted(long label) => SetDeleted(label, deleted: true);

    /// <summary>Makes a label hidden by <see cref="MarkDeleted"/> searchable again.</summary>
    /// <exception cref="LabelNotFoundException">The label was never added.</exception>
    public void Unmark(long label) => SetDeleted(label, deleted: false);

    /// <summary>Copies the stored vector of <paramref name="label"/> (unit length under cosine) into <paramref name="destination"/>.</summary>
    /// <exception cref="LabelNotFoundException">The label was never added.</exception>
    public void GetVector(long label, Span<float> destination)
    {
        if (destination.Length != Dimensions)
            ThrowHelper.ThrowDimensionMismatch(Dimensions, destination.Length, nameof(destination));
        _growLock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            int node = NodeOf(label);
            _storage.Vector(node).CopyTo(destination);
        }
        finally
        {
            _growLock.ExitReadLock();
        }
    }

    /// <inheritdoc cref="GetVector(long, Span{float})"/>
    public float[] GetVector(long label)
    {
        var vector = new float[Dimensions];
        GetVector(label, vector);
        return vector;
    }

    private void SetDeleted(long label, bool deleted)
    {
        ThrowIfDisposed();
        EnsureWritable();
        _growLock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            lock (_allocLock)
            {
                int node = NodeOf(label);
                var state = _storage.State(node);
                if (deleted && state == NodeState.Live)
                {
                    _storage.SetState(node, NodeState.Deleted);
                    _deletedCount++;
                    _hiddenCount++;
                }
                else if (!deleted && state == NodeState.Deleted)
                {
                    _storage.SetState(node, NodeState.Live);
                    _deletedCount--;
                    _hiddenCount--;
                }
            }
        }
        finally
        {
            _growLock.ExitReadLock();
        }
    }

    /// <summary>The node of a label that must be present. Caller holds the grow lock (so the blocks outlive the lookup).</summary>
    private int NodeOf(long label)
    {
        lock (_allocLock)
        {
            int node = _storage.FindNode(label);
            if (node < 0)
                ThrowHelper.ThrowLabelNotFound(label, nameof(label));
            return node;
        }
    }
}
