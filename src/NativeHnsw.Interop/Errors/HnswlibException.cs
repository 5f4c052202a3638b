namespace NativeHnsw.Interop;

/// <summary>
/// An hnswlib call failed. <see cref="NativeEngineException.StatusCode"/> is an nh_hnsw_status: -1 invalid argument,
/// -2 hnswlib's runtime_error (I/O, capacity), -3 out of memory, -4 other std::exception, -5 unknown.
/// </summary>
public sealed class HnswlibException : NativeEngineException
{
    public HnswlibException(string function, int statusCode, string nativeMessage)
        : base(HnswlibEngine.EngineName, function, statusCode, nativeMessage)
    {
    }
}
