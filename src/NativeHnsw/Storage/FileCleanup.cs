namespace NativeHnsw.IO;

/// <summary>
/// Deletions whose failure costs only disk space: a temporary file beside a target that was never committed, a
/// checkpoint superseded by a newer one, a hidden staging or replaced folder. They never throw for a file or folder
/// that is locked, read-only or already gone, because the operation they tidy up after has already succeeded or
/// failed on its own terms and must report that, not the cleanup.
/// </summary>
public static class FileCleanup
{
    /// <summary>Deletes <paramref name="path"/> if it can; true when the file is gone (or never was), false when it could not be deleted.</summary>
    public static bool TryDeleteFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            File.Delete(path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes <paramref name="folder"/> with everything in it if it can; true when the folder is gone (or never was),
    /// false when some of it could not be deleted (what could be is gone).
    /// </summary>
    public static bool TryDeleteFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        try
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
