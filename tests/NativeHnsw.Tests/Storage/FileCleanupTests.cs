using NativeHnsw.IO;

namespace NativeHnsw.Tests.Storage;

/// <summary><see cref="FileCleanup"/> deletes what it can, says whether the thing is gone, and never throws for it.</summary>
public sealed class FileCleanupTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void TryDeleteFile_ExistingFile_IsDeleted()
    {
        string path = _folder.File("a.tmp");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.True(FileCleanup.TryDeleteFile(path));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void TryDeleteFile_NothingThere_IsGone()
    {
        Assert.True(FileCleanup.TryDeleteFile(_folder.File("never")));
        Assert.True(FileCleanup.TryDeleteFile(Path.Combine(_folder.File("no-folder"), "never")));
    }

    [Fact]
    public void TryDeleteFile_AFolder_FailsAndLeavesIt()
    {
        string folder = Directory.CreateDirectory(_folder.File("sub")).FullName;
        Assert.False(FileCleanup.TryDeleteFile(folder));
        Assert.True(Directory.Exists(folder));
    }

    [Fact]
    public void TryDeleteFolder_WithFilesAndSubfolders_IsDeleted()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_folder.File("staging"), "inner")).Parent!.FullName;
        File.WriteAllBytes(Path.Combine(folder, "inner", "x"), [1]);
        File.WriteAllBytes(Path.Combine(folder, "y"), [2]);
        Assert.True(FileCleanup.TryDeleteFolder(folder));
        Assert.False(Directory.Exists(folder));
        Assert.True(FileCleanup.TryDeleteFolder(folder));
    }

    [Fact]
    public void EmptyPath_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => FileCleanup.TryDeleteFile(""));
        Assert.Throws<ArgumentException>(() => FileCleanup.TryDeleteFolder(""));
    }
}
