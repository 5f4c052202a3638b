using System.Runtime.InteropServices;

namespace NativeHnsw.Graph;

/// <summary>Graph blocks in native memory, 64-byte aligned so vector rows start on cache lines as they do in the file.</summary>
internal sealed unsafe class NativeGraphStorage : GraphStorage
{
    private const nuint Alignment = 64;

    private NativeGraphStorage(int dimensions, int m, int nodeCapacity, long upperCapacity)
        : base(dimensions, m)
    {
        try
        {
            NodeCapacity = nodeCapacity;
            UpperCapacity = upperCapacity;
            Vectors = (float*)Alloc((nuint)nodeCapacity * (nuint)dimensions * sizeof(float));
            Links0 = (int*)Alloc((nuint)nodeCapacity * (nuint)Level0Stride * sizeof(int));
            Labels = (long*)Alloc((nuint)nodeCapacity * sizeof(long));
            States = (byte*)Alloc((nuint)nodeCapacity);
            UpperOffsets = (int*)Alloc((nuint)nodeCapacity * sizeof(int));
            UpperLinks = (int*)Alloc((nuint)upperCapacity * sizeof(int));
        }
        catch
        {
            Free();
            GC.SuppressFinalize(this);
            throw;
        }
    }

    public static NativeGraphStorage Allocate(int dimensions, int m, int nodeCapacity, long upperCapacity) =>
        new(dimensions, m, Math.Max(nodeCapacity, 1), Math.Max(upperCapacity, 1));

    /// <summary>A larger copy holding the first <paramref name="usedNodes"/> nodes and <paramref name="usedUpper"/> pool ints.</summary>
    public NativeGraphStorage CopyWithCapacity(int nodeCapacity, long upperCapacity, int usedNodes, long usedUpper)
    {
        var next = new NativeGraphStorage(Dimensions, M, nodeCapacity, upperCapacity);
        Copy(Vectors, next.Vectors, (nuint)usedNodes * (nuint)Dimensions * sizeof(float));
        Copy(Links0, next.Links0, (nuint)usedNodes * (nuint)Level0Stride * sizeof(int));
        Copy(Labels, next.Labels, (nuint)usedNodes * sizeof(long));
        Copy(States, next.States, (nuint)usedNodes);
        Copy(UpperOffsets, next.UpperOffsets, (nuint)usedNodes * sizeof(int));
        Copy(UpperLinks, next.UpperLinks, (nuint)usedUpper * sizeof(int));
        return next;
    }

    protected override void Free()
    {
        NativeMemory.AlignedFree(Vectors);
        NativeMemory.AlignedFree(Links0);
        NativeMemory.AlignedFree(Labels);
        NativeMemory.AlignedFree(States);
        NativeMemory.AlignedFree(UpperOffsets);
        NativeMemory.AlignedFree(UpperLinks);
        Vectors = null;
        Links0 = null;
        Labels = null;
        States = null;
        UpperOffsets = null;
        UpperLinks = null;
    }

    private static void* Alloc(nuint bytes)
    {
        // Rounded up to the alignment so a block's tail never shares a cache line with a neighbour block.
        nuint size = Math.Max((bytes + Alignment - 1) & ~(Alignment - 1), Alignment);
        return NativeMemory.AlignedAlloc(size, Alignment);
    }

    private static void Copy(void* from, void* to, nuint bytes)
    {
        if (bytes > 0)
            Buffer.MemoryCopy(from, to, bytes, bytes);
    }
}
