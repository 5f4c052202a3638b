using NativeHnsw.Bench.Data;
using NativeHnsw.Testing;

namespace NativeHnsw.Bench.Tests;

public sealed class VectorFilesTests
{
    private static VectorSet Sample(int count = 7, int dims = 5, int seed = 3) => new(Datasets.Gaussian(count, dims, seed), dims);

    [Fact]
    public void Fvecs_RoundTrip_SameVectors()
    {
        using var dir = new TempDirectory();
        var set = Sample();
        VectorFiles.WriteFvecs(dir.File("a.fvecs"), set);
        var read = VectorFiles.Read(dir.File("a.fvecs"));
        Assert.Equal(set.Dimensions, read.Dimensions);
        Assert.Equal(set.Data, read.Data);
        Assert.Equal(3, VectorFiles.Read(dir.File("a.fvecs"), limit: 3).Count);
    }

    [Fact]
    public void Ivecs_RoundTrip_SameRows()
    {
        using var dir = new TempDirectory();
        int[][] rows = [[1, 2, 3], [4, 5, 6]];
        VectorFiles.WriteIvecs(dir.File("gt.ivecs"), rows);
        Assert.Equal(rows, VectorFiles.ReadIvecs(dir.File("gt.ivecs")));
    }

    [Fact]
    public void Npy_RoundTrip_SameVectors()
    {
        using var dir = new TempDirectory();
        var set = Sample(11, 9);
        VectorFiles.WriteNpy(dir.File("a.npy"), set);
        var read = VectorFiles.Read(dir.File("a.npy"));
        Assert.Equal(9, read.Dimensions);
        Assert.Equal(set.Data, read.Data);
    }

    [Theory]
    [InlineData("a.csv", ',')]
    [InlineData("a.tsv", '\t')]
    public void Text_RoundTrip_SameVectors(string name, char separator)
    {
        using var dir = new TempDirectory();
        var set = Sample();
        VectorFiles.WriteText(dir.File(name), set, separator);
        var read = VectorFiles.Read(dir.File(name));
        Assert.Equal(set.Data, read.Data);
    }

    [Fact]
    public void Idx_GzipRoundTrip_PixelsAsFloats()
    {
        using var dir = new TempDirectory();
        var pixels = new byte[3 * 4 * 2];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)(i * 10);
        VectorFiles.WriteIdxImages(dir.File("train-images-idx3-ubyte.gz"), pixels, 3, 4, 2);
        var read = VectorFiles.Read(dir.File("train-images-idx3-ubyte.gz"));
        Assert.Equal(8, read.Dimensions);
        Assert.Equal(3, read.Count);
        Assert.Equal(pixels.Select(p => (float)p), read.Data);
    }

    [Fact]
    public void Fvecs_Truncated_ClearError()
    {
        using var dir = new TempDirectory();
        VectorFiles.WriteFvecs(dir.File("a.fvecs"), Sample());
        var bytes = File.ReadAllBytes(dir.File("a.fvecs"));
        File.WriteAllBytes(dir.File("a.fvecs"), bytes[..^3]);
        var e = Assert.Throws<BenchInputException>(() => VectorFiles.Read(dir.File("a.fvecs")));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains("a.fvecs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fvecs_MixedDimensions_ClearError()
    {
        using var dir = new TempDirectory();
        VectorFiles.WriteFvecs(dir.File("a.fvecs"), Sample(2, 4));
        using (var stream = new FileStream(dir.File("a.fvecs"), FileMode.Append))
        {
            stream.Write(BitConverter.GetBytes(3));
            stream.Write(new byte[12]);
        }
        var e = Assert.Throws<BenchInputException>(() => VectorFiles.Read(dir.File("a.fvecs")));
        Assert.Contains("has 3 dimensions, the first has 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Npy_Float64_ClearError()
    {
        using var dir = new TempDirectory();
        VectorFiles.WriteNpy(dir.File("a.npy"), Sample());
        var bytes = File.ReadAllBytes(dir.File("a.npy"));
        string text = System.Text.Encoding.Latin1.GetString(bytes).Replace("<f4", "<f8", StringComparison.Ordinal);
        File.WriteAllBytes(dir.File("a.npy"), System.Text.Encoding.Latin1.GetBytes(text));
        var e = Assert.Throws<BenchInputException>(() => VectorFiles.Read(dir.File("a.npy")));
        Assert.Contains("float32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Npy_NoMagic_ClearError()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.npy"), "not numpy at all");
        Assert.Contains("NUMPY", Assert.Throws<BenchInputException>(() => VectorFiles.Read(dir.File("a.npy"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_RaggedOrNonNumeric_NamesTheLine()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.csv"), "1,2,3\n4,5\n");
        Assert.Contains("line 2", Assert.Throws<BenchInputException>(() => VectorFiles.Read(dir.File("a.csv"))).Message, StringComparison.Ordinal);
        File.WriteAllText(dir.File("b.csv"), "1,2,3\n4,x,6\n");
        Assert.Contains("'x'", Assert.Throws<BenchInputException>(() => VectorFiles.Read(dir.File("b.csv"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Idx_WrongMagic_ClearError()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("x-ubyte"), new byte[32]);
        Assert.Contains("magic", Assert.Throws<BenchInputException>(() => VectorFiles.Read(dir.File("x-ubyte"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingOrUnknownType_ClearError()
    {
        using var dir = new TempDirectory();
        Assert.Contains("does not exist", Assert.Throws<BenchInputException>(() => VectorFiles.Read(dir.File("nope.fvecs"))).Message, StringComparison.Ordinal);
        File.WriteAllText(dir.File("a.bin"), "x");
        Assert.Contains("unknown vector file type", Assert.Throws<BenchInputException>(() => VectorFiles.Read(dir.File("a.bin"))).Message, StringComparison.Ordinal);
    }

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
