using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// Warm and Advise on a mapped index. Residency is the kernel's own account: the file is evicted from the page
/// cache (posix_fadvise DONTNEED on its clean pages), and mincore over a second mapping of it says which of its
/// pages the cache holds, before and after Warm.
/// </summary>
public sealed unsafe partial class WarmTests : IDisposable
{
    private const int Dims = 32;
    private const int PosixFadvDontNeed = 4;

    private readonly string _folder = Directory.CreateTempSubdirectory("nhnsw-warm-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Warm_EvictedFile_EveryPageResidentAfterwardsAndAnswersUnchanged()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "posix_fadvise and mincore are how the test sees the page cache.");
        var data = Datasets.Gaussian(8_000, Dims, seed: 21);
        string path = SavedIndex(data, "warm.nhnsw");
        Assert.SkipUnless(Evict(path) && ResidentFraction(path) < 0.5, "the kernel kept the file's pages cached; there is nothing to warm");

        using var index = HnswIndex.Open(path);
        index.Warm();

        Assert.Equal(1.0, ResidentFraction(path));
        using var loaded = HnswIndex.Load(path);
        for (int q = 0; q < 20; q++)
            Assert.Equal(loaded.Search(Datasets.Row(data, Dims, q * 7), 10, 64), index.Search(Datasets.Row(data, Dims, q * 7), 10, 64));
    }

    [Theory]
    [InlineData(WarmScope.Search, VectorQuantization.None)]
    [InlineData(WarmScope.Search, VectorQuantization.Int8)]
    [InlineData(WarmScope.File, VectorQuantization.Int8)]
    public void Warm_EachScope_AnswersUnchangedAndFileScopeMakesEveryPageResident(WarmScope scope, VectorQuantization quantization)
    {
        var data = Datasets.Gaussian(4_000, Dims, seed: 25);
        string path = Path.Combine(_folder, $"scope-{scope}.nhnsw");
        using (var built = new HnswIndex(new HnswOptions { Dimensions = Dims, Metric = DistanceMetric.L2, Quantization = quantization }))
        {
            // Labels out of node order: the file keeps a label index, which only the File scope reads.
            built.AddRange(Enumerable.Reverse(Datasets.RowLabels(4_000)).ToArray(), data);
            built.Save(path);
        }
        bool evicted = OperatingSystem.IsLinux() && Evict(path);
        using var loaded = HnswIndex.Load(path);
        using var index = HnswIndex.Open(path);
        index.Warm(scope);

        if (scope == WarmScope.File && evicted)
            Assert.Equal(1.0, ResidentFraction(path));
        for (int q = 0; q < 20; q++)
            Assert.Equal(loaded.Search(Datasets.Row(data, Dims, q * 11), 10, 64), index.Search(Datasets.Row(data, Dims, q * 11), 10, 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Warm((WarmScope)9));
    }

    [Fact]
    public void Advise_MappedIndex_GivenOnLinuxAndAnswersUnchanged()
    {
        var data = Datasets.Gaussian(2_000, Dims, seed: 22);
        string path = SavedIndex(data, "advise.nhnsw");
        using var index = HnswIndex.Open(path);
        var before = index.Search(Datasets.Row(data, Dims, 3), 10, 64);

        Assert.Equal(OperatingSystem.IsLinux(), index.Advise(MappedAccess.Random));
        Assert.Equal(before, index.Search(Datasets.Row(data, Dims, 3), 10, 64));
        Assert.Equal(OperatingSystem.IsLinux(), index.Advise(MappedAccess.Normal));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Advise((MappedAccess)7));
    }

    [Fact]
    public void WarmAndAdvise_InMemoryIndex_DoNothing()
    {
        var data = Datasets.Gaussian(500, Dims, seed: 23);
        using var index = new HnswIndex(new HnswOptions { Dimensions = Dims });
        index.AddRange(Datasets.RowLabels(500), data);
        index.Warm();
        index.Warm(WarmScope.File);
        Assert.False(index.Advise(MappedAccess.Random));
        Assert.Equal(9, index.Search(Datasets.Row(data, Dims, 9), 1, 64)[0].Label);
    }

    [Fact]
    public void Warm_AfterDispose_ThrowsDisposed()
    {
        string path = SavedIndex(Datasets.Gaussian(200, Dims, seed: 24), "disposed.nhnsw");
        var index = HnswIndex.Open(path);
        index.Dispose();
        Assert.Throws<ObjectDisposedException>(() => index.Warm());
        Assert.Throws<ObjectDisposedException>(() => index.Warm(WarmScope.File));
        Assert.Throws<ObjectDisposedException>(() => index.Advise(MappedAccess.Random));
    }

    private string SavedIndex(float[] data, string name)
    {
        string path = Path.Combine(_folder, name);
        using var index = new HnswIndex(new HnswOptions { Dimensions = Dims, Metric = DistanceMetric.L2 });
        index.AddRange(Datasets.RowLabels(data.Length / Dims), data);
        index.Save(path);
        return path;
    }

    private static bool Evict(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        return PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, PosixFadvDontNeed) == 0;
    }

    /// <summary>The share of the file's pages in the page cache, by mincore over a fresh read-only mapping (which faults nothing in).</summary>
    private static double ResidentFraction(string path)
    {
        long length = new FileInfo(path).Length;
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
        using var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            start += view.PointerOffset;
            int page = Environment.SystemPageSize;
            var pages = new byte[(length + page - 1) / page];
            fixed (byte* vector = pages)
                Assert.Equal(0, Mincore((nint)start, (nuint)length, vector));
            return pages.Count(p => (p & 1) != 0) / (double)pages.Length;
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);

    [LibraryImport("libc", EntryPoint = "mincore")]
    private static partial int Mincore(nint address, nuint length, byte* vector);
}
