using System.Runtime.InteropServices;

namespace NativeHnsw.IndexFiles;

/// <summary>
/// What a path names when it is not a regular file. Opening a FIFO for reading blocks until a writer
/// appears, and a device reads forever or not at all, so readers ask before they open: a path that is
/// anything but a regular file is refused at once with a message that says what it is.
/// </summary>
/// <remarks>
/// Linux asks statx(2), whose buffer layout is the same on every architecture (stat's is not). Other
/// systems only tell a folder from a file. The check follows symbolic links, as open does; a path
/// swapped for a FIFO between the check and the open still blocks, a race no path-based API closes.
/// </remarks>
internal static unsafe partial class FileKind
{
    private const int AtCurrentDirectory = -100;
    private const uint StatxType = 1;
    private const int StatxBufferSize = 256;
    private const int StatxModeAt = 28;
    private const int TypeMask = 0xF000;

    /// <summary>"a named pipe (FIFO)", "a folder", …, or null for a regular file and for a path that cannot be examined (the open that follows reports why).</summary>
    public static string? DescribeIfNotRegular(string path)
    {
        if (!OperatingSystem.IsLinux())
            return Directory.Exists(path) ? "a folder" : null;
        byte* buffer = stackalloc byte[StatxBufferSize];
        if (StatX(AtCurrentDirectory, path, 0, StatxType, buffer) != 0)
            return null;
        int mode = *(ushort*)(buffer + StatxModeAt);
        return (mode & TypeMask) switch
        {
            0x8000 => null,
            0x4000 => "a folder",
            0x1000 => "a named pipe (FIFO)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "something other than a regular file",
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatX(int directoryFd, string path, int flags, uint mask, byte* buffer);
}
