namespace NativeHnsw.Tests.Storage;

/// <summary>
/// What opening a mapped index costs the managed heap: a read-only index never inserts, so it must not
/// carry the insert machinery (stripe locks, the label map), and its open is the same few objects at any size.
/// </summary>
public sealed class OpenCostTests : IDisposable
{
    private const long OpenBudgetBytes = 4 * 1024;

    private readonly string _folder = Directory.CreateTempSubdirectory("nhnsw-open-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(VectorQuantization.None)]
    [InlineData(VectorQuantization.Int8)]
    public void Open_AllocatesAtMostFourKilobytes(VectorQuantization quantization)
    {
        string path = Path.Combine(_folder, $"open-{quantization}.nhnsw");
        using (var index = new HnswIndex(new HnswOptions { Dimensions = 24, Quantization = quantization, QuantizerTrainingSize = 256 }))
        {
            index.AddRange(Datasets.RowLabels(3_000), Datasets.Gaussian(3_000, 24, seed: 5));
            index.Save(path);
        }
        // A first open and search outside the measurement: type loading and JIT allocate once per process.
        using (var warm = HnswIndex.Open(path))
            warm.Search(Datasets.Gaussian(1, 24, seed: 6), 5);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var opened = HnswIndex.Open(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        using (opened)
        {
            Assert.True(allocated <= OpenBudgetBytes, $"Open allocated {allocated} bytes; the budget is {OpenBudgetBytes}");
            Assert.Equal(3_000, opened.Count);
            Assert.Equal(7, opened.Search(Datasets.Gaussian(3_000, 24, seed: 5).AsSpan(7 * 24, 24), 1)[0].Label);
        }
    }
}
