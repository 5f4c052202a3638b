using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// Processes that open the same index share one copy of it in the page cache. That holds exactly when the
/// mapping is a shared file mapping (MAP_SHARED): its pages are the page cache's own. A private mapping
/// (MAP_PRIVATE) would promise nothing of the kind, so the test reads the kernel's own account of the mapping.
/// </summary>
public sealed class MappedSharingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nhnsw-share-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Open_MapsTheFileSharedAndReadOnly()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "/proc/self/maps is Linux's account of a process's mappings.");
        string path = Path.Combine(_folder, "shared.nhnsw");
        using (var index = new HnswIndex(new HnswOptions { Dimensions = 16 }))
        {
            index.AddRange(Datasets.RowLabels(2_000), Datasets.Gaussian(2_000, 16, seed: 1));
            index.Save(path);
        }

        using var first = HnswIndex.Open(path);
        using var second = HnswIndex.Open(path);
        var mappings = File.ReadAllLines("/proc/self/maps").Where(line => line.EndsWith(path, StringComparison.Ordinal)).ToArray();

        Assert.True(mappings.Length >= 2, $"expected both opens to map {path}; /proc/self/maps shows {mappings.Length}");
        Assert.All(mappings, line =>
        {
            string permissions = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            Assert.True(permissions == "r--s", $"mapping '{line}' should be read-only and shared (r--s)");
        });
    }
}
