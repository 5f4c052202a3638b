namespace NativeHnsw.Interop;

/// <summary>A native comparison engine (FAISS, hnswlib) reported a failure; carries the library's own message.</summary>
public class NativeEngineException : Exception
{
    public NativeEngineException(string engine, string function, int statusCode, string nativeMessage)
        : base($"{engine}: {function} failed with status {statusCode}: {nativeMessage}")
    {
        Engine = engine;
        Function = function;
        StatusCode = statusCode;
        NativeMessage = nativeMessage;
    }

    protected NativeEngineException(string engine, string message)
        : base(message)
    {
        Engine = engine;
        Function = string.Empty;
        NativeMessage = string.Empty;
    }

    /// <summary>"FAISS" or "hnswlib".</summary>
    public string Engine { get; }

    /// <summary>The native function that failed, by its native name.</summary>
    public string Function { get; }

    /// <summary>The status the function returned (see the status codes of FaissNative and HnswlibNative).</summary>
    public int StatusCode { get; }

    /// <summary>The message the native library recorded for the failure, verbatim.</summary>
    public string NativeMessage { get; }
}
