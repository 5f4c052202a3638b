using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NativeHnsw.Cli.Tests;

/// <summary><c>nhnsw build</c> reports how many vectors are in, as it goes: plain lines when stdout is not a terminal.</summary>
public sealed partial class BuildProgressTests
{
    [Fact]
    public void Build_NotATerminal_PlainLinesWithRealCounts_RisingTo100()
    {
        using var dir = new TempDirectory();
        const int count = 12_000;
        string csv = dir.File("v.csv");
        var random = new Random(12);
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
            text.Append(CultureInfo.InvariantCulture, $"{random.NextSingle()},{random.NextSingle()}\n");
        File.WriteAllText(csv, text.ToString());
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = NhnswCli.Run(["build", dir.File("x.hnsw"), "--from", csv, "--metric", "l2", "--m", "4", "--ef-construction", "8", "--threads", "2"], stdout, stderr);

        Assert.True(code == 0, stderr.ToString());
        var lines = ProgressLine().Matches(stdout.ToString()).Select(m => (Percent: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Done: long.Parse(m.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture))).ToList();
        Assert.True(lines.Count >= 5, stdout.ToString());
        Assert.Equal((100, count), lines[^1]);
        for (int i = 1; i < lines.Count; i++)
        {
            Assert.True(lines[i].Percent > lines[i - 1].Percent && lines[i].Done > lines[i - 1].Done, stdout.ToString());
            Assert.Equal(lines[i].Done * 100 / count, lines[i].Percent);
        }
        Assert.DoesNotContain("\u001b[", stdout.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1_000)]
    [InlineData(300_000, 3_000)]
    [InlineData(100_000_000, 50_000)]
    public void BuildBatchSize_HundredthClamped(int count, int expected) => Assert.Equal(expected, NhnswCli.BuildBatchSize(count));

    [GeneratedRegex(@"^build: (\d+) % \(([\d,]+) of 12,000 vectors\)", RegexOptions.Multiline)]
    private static partial Regex ProgressLine();
}
