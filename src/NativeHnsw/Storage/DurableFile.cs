using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NativeHnsw.IndexFiles;

namespace NativeHnsw.IO;

/// <summary>
/// Crash-safe replacement of a whole file, the way <see cref="HnswIndex.Save"/> writes an index: the new
/// bytes go to a temporary file beside the target, which is fsynced, renamed over the target
/// (<c>rename(2)</c>, atomic on POSIX) and its folder fsynced so the rename itself survives a power cut.
/// At any instant of a crash the target is either the old file or the new one, whole.
/// </summary>
/// <remarks>
/// <para>
/// Symbolic links are followed: when the path is a link (or a chain of links), the file that is replaced
/// is the link's final target, and the temporary file is written in the target's folder, so the link keeps
/// pointing at current data and the rename never crosses a file system. A dangling link gets its target
/// created (as <c>open(2)</c> with <c>O_CREAT</c> would); a loop of links throws an <see cref="IOException"/>.
/// </para>
/// <para>
/// Temporary files are named <c>.&lt;target name&gt;.&lt;pid&gt;.&lt;32 hex&gt;.tmp</c>. A process killed
/// mid-write leaves its temporary file behind; <see cref="BeginReplace"/> deletes those of the same target
/// whose process is gone (<see cref="SweepOrphans"/>), so a service that crashes repeatedly does not fill
/// its disk.
/// </para>
/// </remarks>
public static partial class DurableFile
{
    /// <summary>Linux's limit on links followed while resolving one path (ELOOP beyond it).</summary>
    private const int MaxLinkHops = 40;

    /// <summary>
    /// Replaces <paramref name="path"/> (or, for a symbolic link, its final target) with what
    /// <paramref name="write"/> writes through the handle it is given, atomically and durably.
    /// </summary>
    /// <param name="path">The file to replace; it need not exist. Its folder must.</param>
    /// <param name="write">Writes the new contents (with <see cref="RandomAccess"/>); the handle is opened for writing only.</param>
    /// <param name="preallocationSize">Bytes to reserve up front when the final length is known (0: none).</param>
    /// <exception cref="IOException">The file could not be written or renamed; the target is left as it was.</exception>
    public static void ReplaceAtomically(string path, Action<SafeFileHandle> write, long preallocationSize = 0)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var replacement = BeginReplace(path, preallocationSize);
        write(replacement.Handle);
        replacement.Commit();
    }

    /// <summary>
    /// Starts a replacement of <paramref name="path"/>: creates the temporary file beside its (link-resolved)
    /// target and opens it for writing. Write through <see cref="DurableReplacement.Handle"/> or through
    /// <see cref="DurableReplacement.TemporaryPath"/>, check the file if you like, then
    /// <see cref="DurableReplacement.Commit"/>; disposing without committing deletes the temporary file.
    /// </summary>
    /// <exception cref="IOException">The temporary file could not be created (the folder is missing or not writable, or links loop).</exception>
    public static DurableReplacement BeginReplace(string path, long preallocationSize = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(preallocationSize);
        string target = ResolveLinks(path);
        string directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' names no file inside a folder.", nameof(path));
        string name = Path.GetFileName(target);
        if (name.Length == 0)
            throw new ArgumentException($"'{path}' names a folder, not a file.", nameof(path));
        SweepOrphans(target);
        string temporary = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"));
        var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, FileOptions.None, preallocationSize);
        return new DurableReplacement(target, temporary, handle);
    }

    /// <summary>
    /// fsyncs a folder, which makes a rename or a creation inside it durable: without it a power cut after the
    /// rename can bring the old name back. Does nothing where there is no such call (Windows, whose NTFS
    /// journals renames); a file system that refuses fsync on folders has nothing more to persist.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be opened, or its fsync failed.</exception>
    public static void SyncDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        DirectorySync.Flush(directory);
    }

    /// <summary>
    /// The file that <paramref name="path"/> finally names, following a chain of symbolic links (relative
    /// links are resolved from the folder they are in): an absolute path, which may not exist (a dangling link,
    /// or a path that names nothing yet). <paramref name="path"/> made absolute when it is not a link.
    /// </summary>
    /// <exception cref="IOException">More than 40 links were followed (a loop).</exception>
    public static string ResolveLinks(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string current = Path.GetFullPath(path);
        for (int hop = 0; hop <= MaxLinkHops; hop++)
        {
            string? link = new FileInfo(current).LinkTarget;
            if (link is null)
                return current;
            // A relative target counts from the folder the link is in, as the kernel finds it: resolved, so
            // that '..' in the target leaves the real folder and not the name a symlinked folder gave it.
            string folder = RealFolder(Path.GetDirectoryName(current)!);
            current = Path.GetFullPath(link, folder);
        }
        throw new IOException($"'{path}': more than {MaxLinkHops} symbolic links followed; the links form a loop.");
    }

    /// <summary>
    /// Deletes temporary files that replacements of <paramref name="path"/> left when their process died
    /// mid-write. A file whose process still runs (or whose id a live process reuses) is left alone, and
    /// files that cannot be deleted are skipped. Returns how many were deleted.
    /// </summary>
    public static int SweepOrphans(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        string prefix = "." + Path.GetFileName(full) + ".";
        if (directory is null || prefix.Length == 2)
            return 0;
        int deleted = 0;
        try
        {
            foreach (string file in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
            {
                string middle = Path.GetFileName(file)[prefix.Length..];
                int dot = middle.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && int.TryParse(middle.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                    && pid != Environment.ProcessId && !IsProcessAlive(pid) && FileCleanup.TryDeleteFile(file))
                    deleted++;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return deleted;
    }

    private static bool IsProcessAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The folder with every link in it resolved (realpath(3)); as given where that fails or is not available.</summary>
    private static string RealFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
            return folder;
        nint resolved = RealPath(folder, 0);
        if (resolved == 0)
            return folder;
        try
        {
            return Marshal.PtrToStringUTF8(resolved) ?? folder;
        }
        finally
        {
            Free(resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);
}
