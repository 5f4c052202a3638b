namespace NativeHnsw.Interop.Native;

/// <summary>Owns an <c>nh_hnsw*</c> (hnswlib's HierarchicalNSW and its space); released with <c>nh_hnsw_free</c>.</summary>
internal sealed class HnswlibIndexHandle : NativeObjectHandle
{
    private HnswlibIndexHandle()
    {
    }

    protected override string ObjectName => "HnswlibIndex";

    /// <summary><c>nh_hnsw_create</c>.</summary>
    public static HnswlibIndexHandle Create(int space, int dimensions, int m, int efConstruction, ulong seed, long initialCapacity)
    {
        var handle = new HnswlibIndexHandle();
        HnswlibNative.Check(
            HnswlibNative.nh_hnsw_create(space, dimensions, m, efConstruction, seed, initialCapacity, out nint index),
            nameof(HnswlibNative.nh_hnsw_create));
        handle.Own(index);
        return handle;
    }

    /// <summary><c>nh_hnsw_load</c>.</summary>
    public static HnswlibIndexHandle Load(int space, int dimensions, string path)
    {
        var handle = new HnswlibIndexHandle();
        HnswlibNative.Check(HnswlibNative.nh_hnsw_load(space, dimensions, path, out nint index), nameof(HnswlibNative.nh_hnsw_load));
        handle.Own(index);
        return handle;
    }

    protected override bool ReleaseHandle()
    {
        HnswlibNative.nh_hnsw_free(handle);
        return true;
    }
}
