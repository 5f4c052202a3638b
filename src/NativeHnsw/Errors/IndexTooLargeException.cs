using System.Globalization;

namespace NativeHnsw;

/// <summary>
/// A sound-looking index file that needs more memory to load than this machine or container has.
/// Nothing was allocated beyond what the check needed; <see cref="HnswIndex.Open"/> searches such
/// a file in place, with the page cache holding only the pages searches touch.
/// </summary>
/// <remarks>
/// Thrown instead of an <see cref="OutOfMemoryException"/>, which would leave a caller unable to
/// tell a huge file from a sick process. It is an <see cref="IOException"/> for the same reason as
/// <see cref="IndexFormatException"/>: code guarding file work with <c>catch (IOException)</c> sees it.
/// </remarks>
public sealed class IndexTooLargeException : IOException
{
    public IndexTooLargeException(string filePath, long requiredBytes, long availableBytes, Exception? innerException = null)
        : base(Describe(filePath, requiredBytes, availableBytes), innerException)
    {
        FilePath = filePath;
        RequiredBytes = requiredBytes;
        AvailableBytes = availableBytes;
    }

    /// <summary>The file as it was named to the operation.</summary>
    public string FilePath { get; }

    /// <summary>Bytes of memory a full load of the file needs.</summary>
    public long RequiredBytes { get; }

    /// <summary>Bytes of memory the process may use (physical memory or the container's limit), or −1 when the allocation itself failed.</summary>
    public long AvailableBytes { get; }

    private static string Describe(string filePath, long requiredBytes, long availableBytes) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{filePath}: loading the index needs {requiredBytes:N0} bytes of memory, ")
        + (availableBytes < 0
            ? "and the allocation failed"
            : string.Create(CultureInfo.InvariantCulture, $"more than the {availableBytes:N0} bytes this process may use"))
        + "; HnswIndex.Open searches the file in place without loading it.";
}
