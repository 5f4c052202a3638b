namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// A fresh folder in memory (tmpfs, <c>/dev/shm</c>) where the system has one, else in the temp folder; deleted on
/// dispose. For the long simulations: they check which backups exist where, not fsync, and on disk the thousands of
/// fsyncs of a simulated year take minutes. Durability across kills is tested on disk, elsewhere.
/// </summary>
internal sealed class MemoryFolder : IDisposable
{
    public MemoryFolder()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        Root = Directory.CreateDirectory(Path.Combine(root, "nhnsw-sim-" + Guid.NewGuid().ToString("N"))).FullName;
    }

    public string Root { get; }

    public string File(string name) => Path.Combine(Root, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
