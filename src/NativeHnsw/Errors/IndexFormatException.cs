using System.Globalization;

namespace NativeHnsw;

/// <summary>
/// An index file that cannot be used: missing, unreadable, not an index, of an unsupported
/// version, truncated, or damaged. Every failure to save, load, open or verify a file surfaces as
/// this one type, whose message names the file, the section and the problem.
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/> (as Lucene's CorruptIndexException does) because a
/// damaged file is an I/O-level fault of the resource, and code that already guards file work with
/// <c>catch (IOException)</c> should not let it through. The original OS error, when there was one,
/// is the <see cref="Exception.InnerException"/>.
/// </remarks>
public sealed class IndexFormatException : IOException
{
    public IndexFormatException(string filePath, string? section, long offset, string problem, Exception? innerException = null)
        : base(Describe(filePath, section, offset, problem), innerException)
    {
        FilePath = filePath;
        Section = section;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file as it was named to the operation.</summary>
    public string FilePath { get; }

    /// <summary>The section at fault (<c>header</c>, <c>vectors</c>, <c>links0</c>, …), or null when the file as a whole is.</summary>
    public string? Section { get; }

    /// <summary>Byte offset in the file where the problem was found, or −1 when it has none.</summary>
    public long Offset { get; }

    /// <summary>The problem alone, without the file and section.</summary>
    public string Problem { get; }

    private static string Describe(string filePath, string? section, long offset, string problem)
    {
        var where = section is null ? "" : $" section '{section}'";
        var at = offset < 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" at offset {offset}");
        return $"{filePath}:{where}{at}: {problem}";
    }
}
