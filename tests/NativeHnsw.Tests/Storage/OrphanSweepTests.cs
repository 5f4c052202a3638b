namespace NativeHnsw.Tests.Storage;

/// <summary>A save killed mid-write leaves its temporary file behind; the next save of the same target removes it.</summary>
public sealed class OrphanSweepTests
{
    [Fact]
    public void Save_RemovesTempFilesOfDeadProcesses_KeepsOthers()
    {
        using var folder = new TempDirectory();
        string target = folder.File("index.nhnsw");
        // int.MaxValue is above any Linux pid_max, so no live process has that id.
        string orphan = folder.File($".index.nhnsw.{int.MaxValue}.0123456789abcdef0123456789abcdef.tmp");
        string ours = folder.File($".index.nhnsw.{Environment.ProcessId}.fedcba9876543210fedcba9876543210.tmp");
        string otherTarget = folder.File($".other.nhnsw.{int.MaxValue}.0123456789abcdef0123456789abcdef.tmp");
        foreach (string file in new[] { orphan, ours, otherTarget })
            File.WriteAllBytes(file, new byte[100]);

        using var index = new HnswIndex(new HnswOptions { Dimensions = 4 });
        index.Add(1, [1f, 2f, 3f, 4f]);
        index.Save(target);

        Assert.False(File.Exists(orphan), "a dead process's temp file of this target should be swept");
        Assert.True(File.Exists(ours), "a live process's temp file may be a save in progress");
        Assert.True(File.Exists(otherTarget), "temp files of another target are not this save's business");
        using var loaded = HnswIndex.Load(target);
        Assert.Equal(1, loaded.Count);
    }
}
