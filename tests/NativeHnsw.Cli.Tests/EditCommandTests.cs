using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using NativeHnsw.Cli;

namespace NativeHnsw.Cli.Tests;

/// <summary>
/// <c>nhnsw build --labels</c>, <c>nhnsw add</c> and <c>nhnsw delete</c> in-process, checked by loading the file they
/// wrote; bad input exits 2 with the file and line named and leaves the index file byte for byte as it was.
/// </summary>
public sealed class EditCommandTests
{
    private const int Dims = 4;

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = NhnswCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Distinct vectors: row r of a file seeded by <paramref name="salt"/>.</summary>
    private static float[] Vector(int row, int salt) =>
        [row + 1, (row * 7 + salt) % 13, (row * 3 + salt) % 5 + 0.5f, salt];

    private static string WriteTsv(TempDirectory dir, string name, int rows, int salt, int dims = Dims)
    {
        string path = dir.File(name);
        File.WriteAllLines(path, Enumerable.Range(0, rows).Select(r => string.Join('\t', Vector(r, salt).Take(dims).Select(v => v.ToString(CultureInfo.InvariantCulture)))));
        return path;
    }

    private static string Build(TempDirectory dir, int rows = 100, params string[] extra)
    {
        string index = dir.File("base.hnsw");
        var result = Run(["build", index, "--from", WriteTsv(dir, "base.tsv", rows, salt: 0), "--metric", "l2", "--m", "8", "--ef-construction", "50", .. extra]);
        Assert.True(result.Code == 0, result.Err);
        return index;
    }

    private static void AssertBadUsage((int Code, string Out, string Err) result, params string[] expected)
    {
        Assert.Equal(NhnswCli.BadUsage, result.Code);
        foreach (string part in expected)
            Assert.Contains(part, result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
    }

    private static byte[] Hash(string path) => SHA256.HashData(File.ReadAllBytes(path));

    [Fact]
    public void Build_LabelsRange_RowsGetThoseLabels()
    {
        using var dir = new TempDirectory();
        string index = Build(dir, 100, "--labels", "5000..5099");
        using var loaded = HnswIndex.Load(index);
        Assert.Equal(100, loaded.Count);
        Assert.False(loaded.Contains(0));
        Assert.Equal(Vector(37, 0), loaded.GetVector(5037));
    }

    [Fact]
    public void Build_LabelsFile_RowsGetThoseLabels()
    {
        using var dir = new TempDirectory();
        string labels = dir.File("labels.txt");
        File.WriteAllLines(labels, [.. Enumerable.Range(0, 100).Select(i => ((i * 31) - 1000).ToString(CultureInfo.InvariantCulture)), ""]);
        string index = Build(dir, 100, "--labels", labels);
        using var loaded = HnswIndex.Load(index);
        Assert.Equal(Vector(3, 0), loaded.GetVector(3 * 31 - 1000));
        Assert.Equal(Vector(99, 0), loaded.GetVector(99 * 31 - 1000));
    }

    [Fact]
    public void Add_NewLabels_AddedFoundAndOptionsKept()
    {
        using var dir = new TempDirectory();
        string index = Build(dir);
        var add = Run("add", index, "--from", WriteTsv(dir, "new.tsv", 10, salt: 1), "--labels", "1000..1009", "--json");
        Assert.True(add.Code == 0, add.Err);
        var json = JsonDocument.Parse(add.Out).RootElement;
        Assert.Equal(10, json.GetProperty("added").GetInt32());
        Assert.Equal(0, json.GetProperty("replaced").GetInt32());

        Assert.Equal(0, Run("verify", index).Code);
        using var loaded = HnswIndex.Load(index);
        Assert.Equal(110, loaded.Count);
        Assert.Equal(8, loaded.Options.M);
        Assert.Equal(50, loaded.Options.EfConstruction);
        Assert.Equal(DistanceMetric.L2, loaded.Metric);
        Assert.Equal(Vector(4, 1), loaded.GetVector(1004));
        Assert.Equal(Vector(4, 0), loaded.GetVector(4));
        var hit = loaded.Search(Vector(4, 1), 1, 64);
        Assert.Equal(1004, hit[0].Label);
        Assert.Equal(0f, hit[0].Distance);
    }

    [Fact]
    public void Add_ExistingLabel_VectorReplaced()
    {
        using var dir = new TempDirectory();
        string index = Build(dir);
        string labels = dir.File("ids.txt");
        File.WriteAllLines(labels, ["7", "500"]);
        var add = Run("add", index, "--from", WriteTsv(dir, "new.tsv", 2, salt: 3), "--labels", labels, "--json");
        Assert.True(add.Code == 0, add.Err);
        var json = JsonDocument.Parse(add.Out).RootElement;
        Assert.Equal(1, json.GetProperty("added").GetInt32());
        Assert.Equal(1, json.GetProperty("replaced").GetInt32());
        using var loaded = HnswIndex.Load(index);
        Assert.Equal(101, loaded.Count);
        Assert.Equal(Vector(0, 3), loaded.GetVector(7));
        Assert.Equal(Vector(1, 3), loaded.GetVector(500));
    }

    [Fact]
    public void Delete_Labels_GoneFromSearchAndCount()
    {
        using var dir = new TempDirectory();
        string index = Build(dir);
        string labels = dir.File("gone.txt");
        File.WriteAllLines(labels, ["3", "", "42"]);
        var delete = Run("delete", index, "--labels", labels, "--json");
        Assert.True(delete.Code == 0, delete.Err);
        Assert.Equal(2, JsonDocument.Parse(delete.Out).RootElement.GetProperty("deleted").GetInt32());
        using (var loaded = HnswIndex.Load(index))
        {
            Assert.Equal(98, loaded.Count);
            Assert.False(loaded.Contains(3));
            Assert.False(loaded.Contains(42));
            Assert.DoesNotContain(loaded.Search(Vector(42, 0), 5, 64), r => r.Label == 42);
        }

        // Deleting again is allowed and changes nothing.
        var again = Run("delete", index, "--labels", "42..42", "--json");
        Assert.True(again.Code == 0, again.Err);
        Assert.Equal(1, JsonDocument.Parse(again.Out).RootElement.GetProperty("alreadyDeleted").GetInt32());
    }

    [Fact]
    public void Delete_UnknownLabel_Exit2NamesLineAndDeletesNothing()
    {
        using var dir = new TempDirectory();
        string index = Build(dir);
        byte[] before = Hash(index);
        string labels = dir.File("gone.txt");
        File.WriteAllLines(labels, ["3", "4", "777"]);
        AssertBadUsage(Run("delete", index, "--labels", labels), "gone.txt' line 3", "777", "nothing was deleted");
        Assert.Equal(before, Hash(index));
    }

    [Fact]
    public void Add_CountMismatch_Exit2NamesBothFiles()
    {
        using var dir = new TempDirectory();
        string index = Build(dir);
        byte[] before = Hash(index);
        string labels = dir.File("ids.txt");
        File.WriteAllLines(labels, ["1000", "1001", "1002"]);
        AssertBadUsage(Run("add", index, "--from", WriteTsv(dir, "new.tsv", 4, salt: 1), "--labels", labels), "ids.txt' holds 3 labels (last at line 3)", "new.tsv' holds 4 vectors");
        AssertBadUsage(Run("add", index, "--from", dir.File("new.tsv"), "--labels", "10..12"), "--labels 10..12 names 3 labels", "holds 4 vectors");
        Assert.Equal(before, Hash(index));
    }

    [Fact]
    public void Add_DuplicateLabel_Exit2NamesBothLines()
    {
        using var dir = new TempDirectory();
        string index = Build(dir);
        byte[] before = Hash(index);
        string labels = dir.File("ids.txt");
        File.WriteAllLines(labels, ["1000", "1001", "", "1000"]);
        AssertBadUsage(Run("add", index, "--from", WriteTsv(dir, "new.tsv", 3, salt: 1), "--labels", labels), "ids.txt' line 4: label 1000 appears twice (first at ", "ids.txt' line 1)");
        Assert.Equal(before, Hash(index));
    }

    [Fact]
    public void Add_NonNumericLabel_Exit2NamesLine()
    {
        using var dir = new TempDirectory();
        string index = Build(dir);
        byte[] before = Hash(index);
        string labels = dir.File("ids.txt");
        File.WriteAllLines(labels, ["1000", "10x1"]);
        AssertBadUsage(Run("add", index, "--from", WriteTsv(dir, "new.tsv", 2, salt: 1), "--labels", labels), "ids.txt' line 2: '10x1' is not an integer label");
        Assert.Equal(before, Hash(index));
    }

    [Fact]
    public void Add_NonNumericVector_Exit2NamesLine()
    {
        using var dir = new TempDirectory();
        string index = Build(dir);
        byte[] before = Hash(index);
        string vectors = dir.File("new.tsv");
        File.WriteAllLines(vectors, ["1\t2\t3\t4", "1\t2\tthree\t4"]);
        AssertBadUsage(Run("add", index, "--from", vectors, "--labels", "1000..1001"), "new.tsv' line 2, value 3: 'three'");
        Assert.Equal(before, Hash(index));
    }

    [Fact]
    public void Add_DimensionMismatch_Exit2NamesFiles()
    {
        using var dir = new TempDirectory();
        string index = Build(dir);
        byte[] before = Hash(index);
        AssertBadUsage(Run("add", index, "--from", WriteTsv(dir, "new.tsv", 2, salt: 1, dims: 3), "--labels", "1000..1001"), "new.tsv' holds vectors of 3 values", "base.hnsw' has 4 dimensions");
        Assert.Equal(before, Hash(index));
    }

    [Fact]
    public void Add_ZeroVectorUnderCosine_Exit2NamesRowAndLabel()
    {
        using var dir = new TempDirectory();
        string index = dir.File("cos.hnsw");
        Assert.Equal(0, Run("build", index, "--from", WriteTsv(dir, "base.tsv", 50, salt: 0)).Code);
        byte[] before = Hash(index);
        string vectors = dir.File("new.tsv");
        File.WriteAllLines(vectors, ["1\t2\t3\t4", "0\t0\t0\t0"]);
        AssertBadUsage(Run("add", index, "--from", vectors, "--labels", "70..71"), "new.tsv': Row 1 (label 71)");
        Assert.Equal(before, Hash(index));
        using var loaded = HnswIndex.Load(index);
        Assert.False(loaded.Contains(70));
    }

    [Fact]
    public void Labels_BadRangeOrMissingFile_Exit2()
    {
        using var dir = new TempDirectory();
        string index = Build(dir);
        AssertBadUsage(Run("delete", index, "--labels", "9..3"), "ends before it starts");
        AssertBadUsage(Run("delete", index, "--labels", dir.File("nope.txt")), "neither a file nor a range");
        AssertBadUsage(Run("add", index, "--from", dir.File("base.tsv")), "--labels");
    }
}
