namespace NativeHnsw.Interop.Native;

/// <summary>Owns a <c>FaissParameterSpace*</c> (how the C API sets efSearch); released with <c>faiss_ParameterSpace_free</c>.</summary>
internal sealed class FaissParameterSpaceHandle : NativeObjectHandle
{
    private FaissParameterSpaceHandle()
    {
    }

    protected override string ObjectName => "FaissParameterSpace";

    public static FaissParameterSpaceHandle Create()
    {
        var handle = new FaissParameterSpaceHandle();
        FaissNative.Check(FaissNative.faiss_ParameterSpace_new(out nint space), nameof(FaissNative.faiss_ParameterSpace_new));
        handle.Own(space);
        return handle;
    }

    protected override bool ReleaseHandle()
    {
        FaissNative.faiss_ParameterSpace_free(handle);
        return true;
    }
}
