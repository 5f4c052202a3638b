using Microsoft.Win32.SafeHandles;
using NativeHnsw.IndexFiles;

namespace NativeHnsw.IO;

/// <summary>
/// A replacement of a file in progress (<see cref="DurableFile.BeginReplace"/>): a temporary file beside the
/// target, open for writing. <see cref="Commit"/> makes it the target, atomically and durably; disposing an
/// uncommitted replacement deletes the temporary file and leaves the target as it was.
/// </summary>
public sealed class DurableReplacement : IDisposable
{
    private bool _committed;
    private bool _disposed;

    internal DurableReplacement(string targetPath, string temporaryPath, SafeFileHandle handle)
    {
        TargetPath = targetPath;
        TemporaryPath = temporaryPath;
        Handle = handle;
    }

    /// <summary>The file that <see cref="Commit"/> replaces: the path given, with symbolic links resolved.</summary>
    public string TargetPath { get; }

    /// <summary>The temporary file, in the target's folder; it may also be written or read by path until committed.</summary>
    public string TemporaryPath { get; }

    /// <summary>The temporary file opened for writing (use <see cref="RandomAccess"/>); closed by <see cref="Commit"/>.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>
    /// fsyncs the temporary file (all writes to it, through any handle), renames it over the target and fsyncs
    /// the folder. After it returns the new contents survive a crash or a power cut.
    /// </summary>
    /// <exception cref="IOException">
    /// The flush or the rename failed: the target is left as it was and the temporary file is deleted on dispose. Or the
    /// folder's fsync failed after the rename: the target holds the new contents, but a power cut may still undo the rename.
    /// </exception>
    /// <exception cref="InvalidOperationException">Already committed or disposed.</exception>
    public void Commit()
    {
        if (_committed || _disposed)
            throw new InvalidOperationException(_committed ? "The replacement is already committed." : "The replacement is disposed.");
        RandomAccess.FlushToDisk(Handle);
        Handle.Dispose();
        File.Move(TemporaryPath, TargetPath, overwrite: true);
        _committed = true;
        DirectorySync.Flush(Path.GetDirectoryName(TargetPath)!);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Handle.Dispose();
        if (!_committed)
            FileCleanup.TryDeleteFile(TemporaryPath);
    }
}
