using NativeHnsw.IO;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// Saves through symbolic links replace the link's final target and keep the link; the public
/// <see cref="DurableFile"/> primitive commits, abandons and sweeps as documented.
/// </summary>
public sealed class DurableFileTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Save_OntoSymlink_ReplacesTheTargetAndKeepsTheLink()
    {
        string data = Directory.CreateDirectory(_folder.File("data")).FullName;
        string links = Directory.CreateDirectory(_folder.File("links")).FullName;
        string target = Path.Combine(data, "index.nhnsw");
        string link = Path.Combine(links, "current.nhnsw");
        using (var first = Build(10))
            first.Save(target);
        File.CreateSymbolicLink(link, target);

        using (var second = Build(25))
            second.Save(link);

        Assert.Equal(target, new FileInfo(link).LinkTarget);
        using (var loaded = HnswIndex.Load(target))
            Assert.Equal(25, loaded.Count);
        using (var throughLink = HnswIndex.Load(link))
            Assert.Equal(25, throughLink.Count);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Save_OntoChainOfRelativeLinks_ReplacesTheFinalTarget()
    {
        string data = Directory.CreateDirectory(_folder.File("data")).FullName;
        string target = Path.Combine(data, "index.nhnsw");
        using (var first = Build(10))
            first.Save(target);
        // outer -> inner (same folder) -> ../data/index.nhnsw (relative to the inner link's folder).
        Directory.CreateDirectory(_folder.File("links"));
        string inner = _folder.File("links/inner.nhnsw");
        string outer = _folder.File("outer.nhnsw");
        File.CreateSymbolicLink(inner, "../data/index.nhnsw");
        File.CreateSymbolicLink(outer, "links/inner.nhnsw");

        using (var second = Build(30))
            second.Save(outer);

        Assert.Equal("links/inner.nhnsw", new FileInfo(outer).LinkTarget);
        Assert.Equal("../data/index.nhnsw", new FileInfo(inner).LinkTarget);
        using var loaded = HnswIndex.Load(target);
        Assert.Equal(30, loaded.Count);
    }

    [Fact]
    public void Save_OntoDanglingLink_CreatesTheTarget()
    {
        string target = _folder.File("missing.nhnsw");
        string link = _folder.File("link.nhnsw");
        File.CreateSymbolicLink(link, target);

        using (var index = Build(12))
            index.Save(link);

        Assert.NotNull(new FileInfo(link).LinkTarget);
        using var loaded = HnswIndex.Load(target);
        Assert.Equal(12, loaded.Count);
    }

    [Fact]
    public void Save_OntoLinkLoop_ThrowsIOExceptionAndWritesNothing()
    {
        string a = _folder.File("a.nhnsw"), b = _folder.File("b.nhnsw");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);
        using var index = Build(5);
        var e = Assert.Throws<IOException>(() => index.Save(a));
        Assert.Contains("loop", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, Directory.GetFileSystemEntries(_folder.Path).Length);
    }

    [Fact]
    public void ResolveLinks_RelativeTargetThroughLinkedFolder_CountsFromTheRealFolder()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "realpath is POSIX");
        // view -> real/sub; view/l -> ../t names real/t, not t beside view.
        string sub = Directory.CreateDirectory(_folder.File("real/sub")).FullName;
        string view = _folder.File("view");
        Directory.CreateSymbolicLink(view, sub);
        File.CreateSymbolicLink(Path.Combine(sub, "l"), "../t");
        Assert.Equal(Path.Combine(_folder.Path, "real", "t"), DurableFile.ResolveLinks(Path.Combine(view, "l")));
    }

    [Fact]
    public void ResolveLinks_NotALink_IsThePathMadeAbsolute()
    {
        string path = _folder.File("plain.bin");
        Assert.Equal(path, DurableFile.ResolveLinks(path));
        File.WriteAllBytes(path, [1]);
        Assert.Equal(path, DurableFile.ResolveLinks(path));
    }

    [Fact]
    public void ReplaceAtomically_WritesNewContentsAndLeavesNoTemporaryFile()
    {
        string path = _folder.File("file.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        DurableFile.ReplaceAtomically(path, handle => RandomAccess.Write(handle, new byte[] { 9, 8 }, 0), preallocationSize: 2);
        Assert.Equal([9, 8], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void ReplaceAtomically_WriterThrows_TargetUnchangedAndTemporaryDeleted()
    {
        string path = _folder.File("file.bin");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<InvalidDataException>(() => DurableFile.ReplaceAtomically(path, handle =>
        {
            RandomAccess.Write(handle, new byte[] { 7 }, 0);
            throw new InvalidDataException("writer failed");
        }));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void BeginReplace_WrittenByPathThenCommitted_ReplacesTarget_DisposeWithoutCommitDoesNot()
    {
        string path = _folder.File("file.bin");
        File.WriteAllBytes(path, [1]);
        using (var abandoned = DurableFile.BeginReplace(path))
        {
            Assert.Equal(_folder.Path, Path.GetDirectoryName(abandoned.TemporaryPath));
            File.WriteAllBytes(abandoned.TemporaryPath, [5]);
        }
        Assert.Equal([1], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFileSystemEntries(_folder.Path));

        using (var replacement = DurableFile.BeginReplace(path))
        {
            File.WriteAllBytes(replacement.TemporaryPath, [6, 6]);
            replacement.Commit();
            Assert.Throws<InvalidOperationException>(replacement.Commit);
        }
        Assert.Equal([6, 6], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void SweepOrphans_DeletesOnlyDeadProcessesFilesOfThatTarget()
    {
        string path = _folder.File("file.bin");
        // int.MaxValue is above any Linux pid_max, so no live process has that id.
        string orphan = _folder.File($".file.bin.{int.MaxValue}.0123456789abcdef0123456789abcdef.tmp");
        string live = _folder.File($".file.bin.{Environment.ProcessId}.0123456789abcdef0123456789abcdef.tmp");
        string other = _folder.File($".other.bin.{int.MaxValue}.0123456789abcdef0123456789abcdef.tmp");
        foreach (string file in new[] { orphan, live, other })
            File.WriteAllBytes(file, [0]);
        Assert.Equal(1, DurableFile.SweepOrphans(path));
        Assert.False(File.Exists(orphan));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void SyncDirectory_MissingFolder_ThrowsIOException()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "folders are fsynced on Linux only");
        Assert.Throws<IOException>(() => DurableFile.SyncDirectory(_folder.File("missing")));
        DurableFile.SyncDirectory(_folder.Path);
    }

    private static HnswIndex Build(int count)
    {
        var index = new HnswIndex(new HnswOptions { Dimensions = 4, Metric = DistanceMetric.L2 });
        index.AddRange(Datasets.RowLabels(count), Datasets.Gaussian(count, 4, seed: count));
        return index;
    }
}
