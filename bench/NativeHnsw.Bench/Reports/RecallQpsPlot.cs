using ScottPlot;

namespace NativeHnsw.Bench.Reports;

/// <summary>
/// Recall against queries per second, every engine on one chart, in the style of ann-benchmarks: recall on x, QPS on a
/// log scale on y, one line per engine through its ef sweep; up and to the right is better.
/// </summary>
public static class RecallQpsPlot
{
    public static void Write(string path, RunReport report, int width = 1000, int height = 640)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var plot = new Plot();
        int index = 0;
        foreach (var engine in report.Engines.Where(e => e.Available && e.Sweep.Count > 0))
        {
            double[] xs = engine.Sweep.Select(p => p.Recall).ToArray();
            double[] ys = engine.Sweep.Select(p => Math.Log10(Math.Max(p.Qps.Median, 1))).ToArray();
            var line = plot.Add.Scatter(xs, ys, ChartStyle.Palette[index++ % ChartStyle.Palette.Count]);
            line.LegendText = engine.Engine;
            line.LineWidth = 2;
            line.MarkerSize = 7;
            if (engine.Engine.EndsWith("mmap", StringComparison.Ordinal))
                line.LinePattern = LinePattern.Dashed;
        }
        plot.Axes.Left.TickGenerator = ChartStyle.LogTicks("N0");
        plot.Axes.Left.Label.Text = "queries per second (1 thread, log scale)";
        plot.Axes.Bottom.Label.Text = ReportTables.F($"recall@{report.K}");
        plot.Title(ReportTables.F($"{report.Dataset}: {report.BaseCount:N0} × {report.Dimensions}, {report.Metric}, M={report.M}, ef_construction={report.EfConstruction}"));
        plot.Grid.MajorLineColor = Colors.Black.WithOpacity(0.12);
        plot.ShowLegend(Alignment.LowerLeft);
        plot.SavePng(path, width, height);
    }
}
