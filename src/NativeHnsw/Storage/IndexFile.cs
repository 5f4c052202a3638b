using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace NativeHnsw.IndexFiles;

/// <summary>File access shared by load, open and verify: every OS failure becomes an <see cref="IndexFormatException"/> naming the file.</summary>
internal static class IndexFile
{
    public const int ChunkBytes = 4 << 20;

    public static FileStream OpenRead(string path, FileShare share = FileShare.Read)
    {
        try
        {
            if (FileKind.DescribeIfNotRegular(path) is string kind)
                throw new IndexFormatException(path, null, -1, $"the path is {kind}, not an index file");
            // bufferSize 0: reads go straight to the OS (RandomAccess); FileShare.Delete lets a later save rename over a file still open here.
            return new FileStream(path, FileMode.Open, FileAccess.Read, share | FileShare.Delete, bufferSize: 0, FileOptions.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException
                                  && e is not IndexFormatException)
        {
            string problem = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "the file does not exist",
                UnauthorizedAccessException => "the file cannot be read (access denied, or not a regular file)",
                _ => "the file cannot be opened: " + e.Message,
            };
            throw new IndexFormatException(path, null, -1, problem, e);
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; a short read means the file shrank under us.</summary>
    public static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path, string section)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = RandomAccess.Read(handle, buffer[total..], offset + total);
                if (n == 0)
                    throw new IndexFormatException(path, section, offset + total, "truncated: the file ended while reading");
                total += n;
            }
        }
        catch (IOException e) when (e is not IndexFormatException)
        {
            throw new IndexFormatException(path, section, offset + total, "read failed: " + e.Message, e);
        }
    }

    public static string Hex(ulong value) => "0x" + value.ToString("x16", CultureInfo.InvariantCulture);
}
