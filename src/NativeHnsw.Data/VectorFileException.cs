namespace NativeHnsw.Data;

/// <summary>A vector file is missing, unreadable or malformed; the message names the file and what is wrong, and where.</summary>
public sealed class VectorFileException : Exception
{
    public VectorFileException(string path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The file the problem is in.</summary>
    public string Path { get; }
}
