using NativeHnsw.IO;

namespace NativeHnsw.Backup;

public sealed partial class LocalFolderTarget : IBackupSidecars
{
    public byte[]? ReadSidecar(string name)
    {
        string path = SidecarPath(name);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(null, $"cannot read '{path}': {e.Message}", e);
        }
    }

    public void WriteSidecar(string name, ReadOnlySpan<byte> content)
    {
        string path = SidecarPath(name);
        byte[] bytes = content.ToArray();
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            DurableFile.ReplaceAtomically(path, handle => RandomAccess.Write(handle, bytes, 0), bytes.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(null, $"cannot write '{path}': {e.Message}", e);
        }
    }

    public bool DeleteSidecar(string name)
    {
        string path = SidecarPath(name);
        try
        {
            if (!File.Exists(path))
                return false;
            File.Delete(path);
            DurableFile.SyncDirectory(Path.GetDirectoryName(path)!);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(null, $"cannot delete '{path}': {e.Message}", e);
        }
    }

    public IReadOnlyList<string> ListSidecars(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string root = Path.Combine(Root, IBackupSidecars.Folder);
        if (!Directory.Exists(root))
            return [];
        try
        {
            return [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
                .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && !n.Contains("/.", StringComparison.Ordinal) && !n.StartsWith('.'))
                .Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupTargetException(null, $"cannot list '{root}': {e.Message}", e);
        }
    }

    private string SidecarPath(string name) =>
        Path.Combine(Root, IBackupSidecars.Folder, IBackupSidecars.CheckName(name).Replace('/', Path.DirectorySeparatorChar));
}
