using System.Runtime.InteropServices;

namespace NativeHnsw.Backup.Internal;

/// <summary>
/// fsync of a folder, which makes a rename inside it durable (the core library's own helper is internal to it).
/// Linux only; elsewhere a no-op.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int InvalidArgument = 22;

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        int fd = Open(directory, ReadOnly);
        if (fd < 0)
            throw new IOException($"Cannot open folder '{directory}' to make a rename durable (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (FSync(fd) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != InvalidArgument)
                throw new IOException($"fsync of folder '{directory}' failed (errno {errno}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
