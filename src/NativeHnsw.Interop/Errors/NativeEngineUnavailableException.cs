namespace NativeHnsw.Interop;

/// <summary>A native engine was used but its library could not be loaded; the message says what was searched and how to fix it.</summary>
public sealed class NativeEngineUnavailableException : NativeEngineException
{
    public NativeEngineUnavailableException(string engine, NativeLibraryStatus status)
        : base(engine, $"{engine} is unavailable: {status.Reason}")
    {
        Status = status;
    }

    public NativeLibraryStatus Status { get; }
}
