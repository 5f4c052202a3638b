using NativeHnsw.Graph;
using NativeHnsw.Storage;

namespace NativeHnsw;

public sealed partial class HnswIndex
{
    /// <summary>True when <paramref name="label"/> is in the index and not deleted.</summary>
    public unsafe bool Contains(long label)
    {
        ThrowIfDisposed();
        if (_mapped is not null)
            return ContainsMapped(label);
        while (true)
        {
            lock (_allocLock)
            {
                if (!_labelToNode.TryGetValue(label, out int node))
                    return false;
                // The state is read from the blocks under a lease: growth and Dispose free blocks
                // without taking this lock. Under it, the blocks in _storage hold every node the map names.
                var storage = _storage;
                if (storage.TryAcquire())
                {
                    try
                    {
                        return (NodeState)storage.States[node] == NodeState.Live;
                    }
                    finally
                    {
                        storage.Release();
                    }
                }
            }
            // Retired between the read and the lease: by growth (the next blocks are published), or by Dispose.
            ThrowIfDisposed();
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
    public unsafe void GetVector(long label, Span<float> destination)
    {
        if (destination.Length != Dimensions)
            ThrowHelper.ThrowDimensionMismatch(Dimensions, destination.Length, nameof(destination));
        _growLock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            int node = NodeOf(label);
            StoredVector(node).CopyTo(destination);
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
        ThrowIfReadOnly();
        _growLock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            lock (_allocLock)
            {
                int node = NodeOf(label);
                var state = StateOf(node);
                if (deleted && state == NodeState.Live)
                {
                    SetState(node, NodeState.Deleted);
                    _deletedCount++;
                    _hiddenCount++;
                }
                else if (!deleted && state == NodeState.Deleted)
                {
                    SetState(node, NodeState.Live);
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

    private int NodeOf(long label)
    {
        if (_mapped is not null)
        {
            int found = _mapped.FindNode(label);
            if (found < 0)
                ThrowHelper.ThrowLabelNotFound(label, nameof(label));
            return found;
        }
        lock (_allocLock)
        {
            if (!_labelToNode.TryGetValue(label, out int node))
                ThrowHelper.ThrowLabelNotFound(label, nameof(label));
            return node;
        }
    }

    /// <summary>Label lookup in the mapped file's own sorted label index: no map is built at open.</summary>
    private unsafe bool ContainsMapped(long label)
    {
        var storage = AcquireStorage();
        try
        {
            int node = ((MappedGraphStorage)storage).FindNode(label);
            return node >= 0 && (NodeState)storage.States[node] == NodeState.Live;
        }
        finally
        {
            storage.Release();
        }
    }

    private unsafe NodeState StateOf(int node) => (NodeState)_storage.States[node];

    private unsafe void SetState(int node, NodeState state) => _storage.States[node] = (byte)state;
}
