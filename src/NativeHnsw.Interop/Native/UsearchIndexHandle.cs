namespace NativeHnsw.Interop.Native;

/// <summary>Owns a <c>usearch_index_t</c> (USearch's index_dense_t); released with <c>usearch_free</c>.</summary>
internal sealed unsafe class UsearchIndexHandle : NativeObjectHandle
{
    private static long s_live;

    private UsearchIndexHandle()
    {
    }

    /// <summary>Handles created and not yet released, process-wide: USearch keeps no such counter itself.</summary>
    public static long Live => Interlocked.Read(ref s_live);

    protected override string ObjectName => "UsearchIndex";

    /// <summary><c>usearch_init</c>; an index it returns alongside an error is freed before the error is thrown.</summary>
    public static UsearchIndexHandle Create(UsearchNative.InitOptions options)
    {
        var handle = new UsearchIndexHandle();
        nint error = 0;
        nint index = UsearchNative.usearch_init(&options, &error);
        if (error != 0 && index != 0)
        {
            nint ignored = 0;
            UsearchNative.usearch_free(index, &ignored);
        }
        UsearchNative.Check(error, nameof(UsearchNative.usearch_init));
        handle.Own(index);
        Interlocked.Increment(ref s_live);
        return handle;
    }

    /// <summary><c>usearch_metadata</c>: what the file's header says, without reading the index.</summary>
    public static UsearchNative.InitOptions ReadMetadata(string path)
    {
        UsearchNative.InitOptions options = default;
        nint error = 0;
        UsearchNative.usearch_metadata(path, &options, &error);
        UsearchNative.Check(error, nameof(UsearchNative.usearch_metadata));
        return options;
    }

    protected override bool ReleaseHandle()
    {
        nint error = 0;
        UsearchNative.usearch_free(handle, &error);
        Interlocked.Decrement(ref s_live);
        return true;
    }
}
