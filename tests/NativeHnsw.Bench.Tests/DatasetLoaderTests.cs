using NativeHnsw.Bench.Data;
using NativeHnsw.Data;

namespace NativeHnsw.Bench.Tests;

/// <summary>The harness's dataset loader over a vector file.</summary>
public sealed class DatasetLoaderTests
{
    private static VectorSet Sample(int count, int dims) => new(Datasets.Gaussian(count, dims, 3), dims);

    [Fact]
    public void Loader_HeldOutQueries_DisjointFromBase()
    {
        using var dir = new TempDirectory();
        var set = Sample(50, 4);
        VectorFiles.WriteFvecs(dir.File("a.fvecs"), set);
        var data = DatasetLoader.Load(new DatasetRequest(dir.File("a.fvecs"), null, null, 0, 5, 1));
        Assert.Equal(45, data.Base.Count);
        Assert.Equal(5, data.Queries.Count);
        for (int q = 0; q < 5; q++)
        {
            for (int b = 0; b < data.Base.Count; b++)
                Assert.False(data.Queries.Row(q).SequenceEqual(data.Base.Row(b)));
        }
    }
}
