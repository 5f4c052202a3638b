namespace NativeHnsw.Backup.Hosting.Tests;

public sealed class CostTextTests
{
    [Fact]
    public void Total_IsTheSumOfTheRowsAsShown()
    {
        // 0.00024 shows as 0.0002 and 0.00004 as 0.00; their unrounded sum, 0.00028, would show as 0.0003.
        double?[] rows = [0.00024, 0.00004, null];
        Assert.Equal(["0.0002", "0.00"], rows.OfType<double>().Select(CostText.Format));
        Assert.Equal("0.0002", CostText.Total(rows));
        Assert.Equal("12.3449", CostText.Total([12.3449, 0.00004]));
        Assert.Equal("0.00", CostText.Total([]));
    }
}
