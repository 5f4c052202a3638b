using System.Runtime.ConstrainedExecution;

namespace NativeHnsw.Graph;

/// <summary>
/// The blocks an HNSW graph lives in, laid out exactly as the index file stores them so that a
/// mapped file and an in-memory index are searched by the same code:
/// vectors (node-major, <c>Dimensions</c> floats each), level-0 link slots (<c>1 + M0</c> ints:
/// count then links), labels (one long per node), node states (one byte per node), upper-level
/// offsets (one int per node, −1 when the node has no upper level) and the upper-level pool
/// (per node with level L ≥ 1: L, then L slots of <c>1 + M</c> ints).
/// </summary>
/// <remarks>
/// Memory is reference-counted: searches hold a lease (<see cref="TryAcquire"/>/<see cref="Release"/>),
/// and <see cref="Dispose"/> only marks the storage retired; the blocks are freed when the last
/// lease ends. That is what lets an index grow, or be disposed, while other threads search.
/// </remarks>
internal abstract unsafe class GraphStorage : CriticalFinalizerObject, IDisposable
{
    // Bit 0: retired. Bits 1..31: lease count.
    private int _state;
    private int _freed;

    protected GraphStorage(int dimensions, int m)
    {
        Dimensions = dimensions;
        M = m;
        M0 = 2 * m;
    }

    ~GraphStorage() => FreeOnce();

    public int Dimensions { get; }
    public int M { get; }
    public int M0 { get; }
    public int Level0Stride => 1 + M0;

    public float* Vectors { get; protected set; }
    public int* Links0 { get; protected set; }
    public long* Labels { get; protected set; }
    public byte* States { get; protected set; }
    public int* UpperOffsets { get; protected set; }
    public int* UpperLinks { get; protected set; }

    /// <summary>Nodes the blocks have room for.</summary>
    public int NodeCapacity { get; protected set; }

    /// <summary>Ints the upper-level pool has room for.</summary>
    public long UpperCapacity { get; protected set; }

    public bool TryAcquire()
    {
        while (true)
        {
            int s = Volatile.Read(ref _state);
            if ((s & 1) != 0)
                return false;
            if (Interlocked.CompareExchange(ref _state, s + 2, s) == s)
                return true;
        }
    }

    public void Release()
    {
        if (Interlocked.Add(ref _state, -2) == 1)
            FreeOnce();
    }

    public void Dispose()
    {
        while (true)
        {
            int s = Volatile.Read(ref _state);
            if ((s & 1) != 0)
                return;
            if (Interlocked.CompareExchange(ref _state, s | 1, s) == s)
            {
                if (s == 0)
                    FreeOnce();
                return;
            }
        }
    }

    /// <summary>A view bounded by what has been published: <paramref name="nodeCount"/> nodes and <paramref name="upperUsed"/> pool ints.</summary>
    public GraphView View(int nodeCount, long upperUsed) =>
        new(Vectors, Links0, Labels, States, UpperOffsets, UpperLinks, Math.Min(nodeCount, NodeCapacity), Math.Min(upperUsed, UpperCapacity), Dimensions, M);

    /// <summary>Releases the blocks; called exactly once, after retirement and the last lease.</summary>
    protected abstract void Free();

    private void FreeOnce()
    {
        if (Interlocked.Exchange(ref _freed, 1) == 0)
        {
            Free();
            GC.SuppressFinalize(this);
        }
    }
}
