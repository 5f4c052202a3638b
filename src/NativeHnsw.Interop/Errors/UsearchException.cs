namespace NativeHnsw.Interop;

/// <summary>
/// A USearch C API call failed. USearch reports failures as a message only, so
/// <see cref="NativeEngineException.StatusCode"/> is always −1 and the message is the library's <c>usearch_error_t</c>.
/// </summary>
public sealed class UsearchException : NativeEngineException
{
    /// <summary>The status every USearch failure carries: its C API has messages, not codes.</summary>
    public const int FailureStatus = -1;

    public UsearchException(string function, string nativeMessage)
        : base(UsearchEngine.EngineName, function, FailureStatus, nativeMessage)
    {
    }
}
