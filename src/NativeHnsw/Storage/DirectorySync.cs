using System.Runtime.InteropServices;

namespace NativeHnsw.IndexFiles;

/// <summary>
/// fsync of a folder, which makes a rename inside it durable: without it a power cut after
/// the rename can bring back the old name. Linux only; Windows has no portable equivalent and
/// its rename (MoveFileEx) is journaled by NTFS.
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
            throw new IOException($"Cannot open folder '{directory}' to make the rename durable (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            // Some file systems refuse fsync on a folder (EINVAL); they have nothing more to persist.
            if (FSync(fd) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != InvalidArgument)
                throw new IOException($"fsync of folder '{directory}' failed (errno {errno}); the rename may not survive a power cut.");
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
