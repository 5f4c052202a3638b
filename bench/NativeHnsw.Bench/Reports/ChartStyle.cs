using ScottPlot;

namespace NativeHnsw.Bench.Reports;

/// <summary>What the harness's plots share: one colour per engine, and log-scale axes labelled in plain numbers.</summary>
public static class ChartStyle
{
    public static IReadOnlyList<Color> Palette { get; } =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#17becf"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#9467bd"),
        Color.FromHex("#ff7f0e"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"),
    ];

    /// <summary>Ticks at the powers of ten of a log10 axis, labelled with the values themselves.</summary>
    public static ScottPlot.TickGenerators.NumericAutomatic LogTicks(string format) => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = v => Math.Pow(10, v).ToString(format, System.Globalization.CultureInfo.InvariantCulture),
    };
}
