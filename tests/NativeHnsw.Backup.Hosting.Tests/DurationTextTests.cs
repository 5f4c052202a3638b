namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>Durations print in the unit that keeps their digits: a 4 ms drill is "4 ms", not "0.0 s".</summary>
public sealed class DurationTextTests
{
    [Theory]
    [InlineData(0.0, "0 ms")]
    [InlineData(0.42, "0.42 ms")]
    [InlineData(4.2, "4.2 ms")]
    [InlineData(49.6, "50 ms")]
    [InlineData(999.4, "999 ms")]
    [InlineData(1_000.0, "1 s")]
    [InlineData(1_234.0, "1.23 s")]
    [InlineData(59_990.0, "59.99 s")]
    [InlineData(61_000.0, "1 min 1 s")]
    [InlineData(3_600_000.0 * 2 + 60_000 * 5, "2 h 5 min")]
    [InlineData(-4.0, "-4 ms")]
    public void Format_PicksTheUnit(double milliseconds, string expected) =>
        Assert.Equal(expected, DurationText.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
