using System.Runtime.InteropServices;

namespace NativeHnsw.Bench.Measurements;

/// <summary>
/// Evicts a file's pages from the page cache so that a read or a first query after open measures the disk: first
/// <c>posix_fadvise(POSIX_FADV_DONTNEED)</c> on the file (any user, clean pages only), and as root also
/// <c>/proc/sys/vm/drop_caches</c>. Neither is guaranteed, so callers report "cold" only when eviction was accepted.
/// </summary>
internal static partial class PageCache
{
    private const int PosixFadvDontNeed = 4;

    public static bool TryEvict(string path)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        bool evicted = false;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
            using (var stream = new FileStream(handle, FileAccess.ReadWrite))
                stream.Flush(flushToDisk: true);
            evicted = PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, PosixFadvDontNeed) == 0;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        try
        {
            File.WriteAllText("/proc/sys/vm/drop_caches", "1");
            evicted = true;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return evicted;
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
