namespace NativeHnsw.Interop;

/// <summary>
/// A FAISS C API call failed. <see cref="NativeEngineException.StatusCode"/> is FAISS's FaissErrorCode: -1 unknown
/// exception, -2 faiss::FaissException, -4 std::exception; the message is <c>faiss_get_last_error()</c>.
/// </summary>
public sealed class FaissException : NativeEngineException
{
    public FaissException(string function, int statusCode, string nativeMessage)
        : base(FaissEngine.EngineName, function, statusCode, nativeMessage)
    {
    }
}
