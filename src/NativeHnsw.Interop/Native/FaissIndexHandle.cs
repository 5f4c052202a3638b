namespace NativeHnsw.Interop.Native;

/// <summary>Owns a <c>FaissIndex*</c>; released with <c>faiss_Index_free</c>.</summary>
internal sealed class FaissIndexHandle : NativeObjectHandle
{
    private static long s_live;

    private FaissIndexHandle()
    {
    }

    /// <summary>Handles created and not yet released, process-wide: FAISS's own C API keeps no such counter.</summary>
    public static long Live => Interlocked.Read(ref s_live);

    protected override string ObjectName => "FaissIndex";

    /// <summary><c>faiss_index_factory</c>.</summary>
    public static FaissIndexHandle Create(int dimensions, string description, int metric)
    {
        var handle = new FaissIndexHandle();
        FaissNative.Check(FaissNative.faiss_index_factory(out nint index, dimensions, description, metric), nameof(FaissNative.faiss_index_factory));
        handle.Own(index);
        Interlocked.Increment(ref s_live);
        return handle;
    }

    /// <summary><c>faiss_read_index_fname</c>.</summary>
    public static FaissIndexHandle Read(string path)
    {
        var handle = new FaissIndexHandle();
        FaissNative.Check(FaissNative.faiss_read_index_fname(path, 0, out nint index), nameof(FaissNative.faiss_read_index_fname));
        handle.Own(index);
        Interlocked.Increment(ref s_live);
        return handle;
    }

    protected override bool ReleaseHandle()
    {
        FaissNative.faiss_Index_free(handle);
        Interlocked.Decrement(ref s_live);
        return true;
    }
}
