namespace NativeHnsw.Data.Tests;

/// <summary>Every format round-trips, and every kind of bad file is a VectorFileException naming the file and the fault.</summary>
public sealed class VectorFilesTests
{
    [Fact]
    public void Bvecs_RoundTrip_BytesBecomeFloats()
    {
        using var dir = new TempDirectory();
        byte[] values = [.. Enumerable.Range(0, 4 * 6).Select(i => (byte)(i * 11 % 256))];
        VectorFiles.WriteBvecs(dir.File("a.bvecs"), values, 6);
        var read = VectorFiles.Read(dir.File("a.bvecs"));
        Assert.Equal(6, read.Dimensions);
        Assert.Equal(values.Select(b => (float)b), read.Data);
        Assert.Equal(2, VectorFiles.Read(dir.File("a.bvecs"), limit: 2).Count);
    }

    [Fact]
    public void Bvecs_Truncated_NamesFileAndRecord()
    {
        using var dir = new TempDirectory();
        VectorFiles.WriteBvecs(dir.File("a.bvecs"), new byte[12], 4);
        using (var stream = new FileStream(dir.File("a.bvecs"), FileMode.Open))
            stream.SetLength(stream.Length - 1);
        var e = Assert.Throws<VectorFileException>(() => VectorFiles.Read(dir.File("a.bvecs")));
        Assert.Equal(dir.File("a.bvecs"), e.Path);
        Assert.Contains("record 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("a.bvecs", e.Message, StringComparison.Ordinal);
    }

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
        var e = Assert.Throws<VectorFileException>(() => VectorFiles.Read(dir.File("a.fvecs")));
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
        var e = Assert.Throws<VectorFileException>(() => VectorFiles.Read(dir.File("a.fvecs")));
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
        var e = Assert.Throws<VectorFileException>(() => VectorFiles.Read(dir.File("a.npy")));
        Assert.Contains("float32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Npy_NoMagic_ClearError()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.npy"), "not numpy at all");
        Assert.Contains("NUMPY", Assert.Throws<VectorFileException>(() => VectorFiles.Read(dir.File("a.npy"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_RaggedOrNonNumeric_NamesTheLine()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.csv"), "1,2,3\n4,5\n");
        Assert.Contains("line 2", Assert.Throws<VectorFileException>(() => VectorFiles.Read(dir.File("a.csv"))).Message, StringComparison.Ordinal);
        File.WriteAllText(dir.File("b.csv"), "1,2,3\n4,x,6\n");
        Assert.Contains("'x'", Assert.Throws<VectorFileException>(() => VectorFiles.Read(dir.File("b.csv"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Idx_WrongMagic_ClearError()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("x-ubyte"), new byte[32]);
        Assert.Contains("magic", Assert.Throws<VectorFileException>(() => VectorFiles.Read(dir.File("x-ubyte"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingOrUnknownType_ClearError()
    {
        using var dir = new TempDirectory();
        Assert.Contains("does not exist", Assert.Throws<VectorFileException>(() => VectorFiles.Read(dir.File("nope.fvecs"))).Message, StringComparison.Ordinal);
        File.WriteAllText(dir.File("a.bin"), "x");
        Assert.Contains("unknown vector file type", Assert.Throws<VectorFileException>(() => VectorFiles.Read(dir.File("a.bin"))).Message, StringComparison.Ordinal);
    }
}
