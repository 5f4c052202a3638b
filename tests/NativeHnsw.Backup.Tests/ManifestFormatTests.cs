using System.Text;

namespace NativeHnsw.Backup.Tests;

/// <summary>
/// The manifest's formats: format 3 (chunk lists as compact strings) kept as a golden file, written and read back
/// unchanged; format 2 (a chunk per object) still read, and written as format 2 when copied; a tool that reads format 2
/// refuses format 3, saying it is newer.
/// </summary>
public sealed class ManifestFormatTests
{
    private const string GoldenId = "20261203T120000000Z-c0ffee";

    private static string GoldenPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "manifest-format-3.json");

    [Fact]
    public void FormatThree_Golden_ReadsAndWritesTheSameBytes()
    {
        byte[] golden = File.ReadAllBytes(GoldenPath);

        var parsed = BackupManifest.Parse(golden, GoldenId);

        Assert.Equal(3, parsed.FormatVersion);
        Assert.Equal(Golden().Files, parsed.Files);
        Assert.Equal(300, parsed.Files[0].Chunks!.Count);
        Assert.Equal(golden, parsed.ToUtf8Json());
        // 300 chunks in strings of 128: three, each "KEY:LENGTH" separated by spaces.
        string text = Encoding.UTF8.GetString(golden);
        Assert.Contains($"\"{Key(0)}:4096 {Key(1)}:4096 ", text, StringComparison.Ordinal);
        Assert.Contains($" {Key(299)}:1000\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatThree_ReadByAFormatTwoTool_RefusedAsNewer()
    {
        var e = Assert.Throws<BackupIntegrityException>(() => BackupManifest.Parse(File.ReadAllBytes(GoldenPath), GoldenId, newestVersion: 2));

        Assert.Contains("format version 3, newer than this tool understands (2); upgrade nhnsw", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatTwo_StillRead_AndWrittenAsFormatTwo()
    {
        var three = Golden();
        var two = three with { FormatVersion = 2 };
        string json = two.ToJson();

        Assert.Contains($"\"sha256\": \"{Key(0)}\",", json, StringComparison.Ordinal);
        var back = BackupManifest.Parse(Encoding.UTF8.GetBytes(json), GoldenId);
        Assert.Equal(2, back.FormatVersion);
        Assert.Equal(three.Files, back.Files);
    }

    [Theory]
    [InlineData(":4096 ", ";4096 ", "is not KEY:LENGTH")]
    [InlineData(":4096 ", ":40x6 ", "is not KEY:LENGTH")]
    [InlineData(":4096 ", ":4096  ", "is not KEY:LENGTH")]
    [InlineData("\"chunks\": [", "\"chunks\": [ 7, ", "as strings")]
    [InlineData(":4096 ", ":0 ", "malformed chunk")]
    [InlineData(":1000\"", ":1001\"", "add up to")]
    public void FormatThree_MalformedChunkList_RefusedNamingTheForm(string from, string to, string expected)
    {
        string json = File.ReadAllText(GoldenPath);
        int at = json.IndexOf(from, StringComparison.Ordinal);
        string tampered = json[..at] + to + json[(at + from.Length)..];

        var e = Assert.Throws<BackupIntegrityException>(() => BackupManifest.Parse(Encoding.UTF8.GetBytes(tampered), GoldenId));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatVersionGivenTwice_Refused()
    {
        string json = File.ReadAllText(GoldenPath).Replace("\"kind\": \"full\"", "\"kind\": \"full\", \"formatVersion\": 99", StringComparison.Ordinal);

        var e = Assert.Throws<BackupIntegrityException>(() => BackupManifest.Parse(Encoding.UTF8.GetBytes(json), GoldenId));

        Assert.Contains("formatVersion twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatVersionNotFirst_StillFoundAndChecked()
    {
        string json = File.ReadAllText(GoldenPath).Replace("\"formatVersion\": 3,", "", StringComparison.Ordinal)
            .Replace("\"toolVersion\": \"0.1.0\",", "\"toolVersion\": \"0.1.0\", \"formatVersion\": 4,", StringComparison.Ordinal);

        var e = Assert.Throws<BackupIntegrityException>(() => BackupManifest.Parse(Encoding.UTF8.GetBytes(json), GoldenId));

        Assert.Contains("format version 4, newer than this tool understands", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Regenerates the golden file from <see cref="Golden"/>; run only when format 3 itself is meant to change (it must not, once released).</summary>
    [Fact(Explicit = true)]
    public void FormatThree_RegenerateGolden()
    {
        string source = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Fixtures", "manifest-format-3.json");
        File.WriteAllBytes(source, Golden().ToUtf8Json());
    }

    /// <summary>A store backup whose database is 300 chunks (the last shorter), beside a file stored whole.</summary>
    private static BackupManifest Golden()
    {
        var chunks = Enumerable.Range(0, 300).Select(i => new ChunkRef(Key(i), i == 299 ? 1000 : 4096)).ToList();
        return new BackupManifest
        {
            FormatVersion = 3,
            Id = GoldenId,
            CreatedUtc = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero),
            Kind = BackupKind.Full,
            SourceKind = BackupSourceKind.Store,
            Source = "/data/store",
            ToolVersion = "0.1.0",
            Store = new StoreSummary(42, []),
            Files =
            [
                new BackupFileEntry(StoreBackup.DatabaseFileName, StoreBackup.DatabaseRole, chunks.Sum(c => (long)c.Length), Key(1000)) { Chunks = chunks },
                new BackupFileEntry("state.json", "state", 2, Key(1001)),
            ],
            StoredBytes = 123_456,
        };
    }

    private static string Key(int i) => ChunkCodec.Key(BitConverter.GetBytes(i));
}
