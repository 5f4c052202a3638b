using NativeHnsw.Bench.Reports;
using ScottPlot;

namespace NativeHnsw.Bench.Persistence;

/// <summary>
/// Save, load and open times against index size for every engine of a persistence run: both axes log scale, one colour
/// per engine, a line pattern per operation (save solid, load dashed, open dotted). Saves are the durable ones (the
/// peers' save followed by an fsync), so the lines compare like with like.
/// </summary>
public static class PersistencePlot
{
    public static void Write(string path, PersistenceReport report, int width = 1000, int height = 640)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var plot = new Plot();
        int colour = 0;
        foreach (var engine in report.Engines.GroupBy(r => r.Engine))
        {
            var rows = engine.OrderBy(r => r.Size).ToArray();
            var color = ChartStyle.Palette[colour++ % ChartStyle.Palette.Count];
            Line(plot, rows, r => r.DurableSaveMs.Median, color, LinePattern.Solid, ReportTables.F($"{engine.Key} save{(rows[0].SavesWithFsync ? "" : " + fsync")}"));
            Line(plot, rows, r => r.LoadMs.Median, color, LinePattern.Dashed, ReportTables.F($"{engine.Key} load"));
            var opened = rows.Where(r => r.OpenMs is not null).ToArray();
            if (opened.Length > 0)
                Line(plot, opened, r => r.OpenMs!.Median, color, LinePattern.Dotted, ReportTables.F($"{engine.Key} open (mmap)"));
        }
        // One tick per measured size: the sizes are few and rarely powers of ten.
        var sizes = report.Engines.Select(r => r.Size).Distinct().Order().ToArray();
        plot.Axes.Bottom.SetTicks(sizes.Select(n => Math.Log10(n)).ToArray(), sizes.Select(n => ReportTables.F($"{n:N0}")).ToArray());
        plot.Axes.Left.TickGenerator = ChartStyle.LogTicks("G3");
        plot.Axes.Bottom.Label.Text = "vectors (log scale)";
        plot.Axes.Left.Label.Text = "milliseconds (median, log scale)";
        plot.Title(ReportTables.F($"Save, load and open against index size: {report.Dimensions}-d, M={report.M}, {report.Metric}"));
        plot.Grid.MajorLineColor = Colors.Black.WithOpacity(0.12);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, width, height);
    }

    private static void Line(Plot plot, PeerSizeResult[] rows, Func<PeerSizeResult, double> ms, Color color, LinePattern pattern, string label)
    {
        double[] xs = rows.Select(r => Math.Log10(r.Size)).ToArray();
        double[] ys = rows.Select(r => Math.Log10(Math.Max(ms(r), 1e-3))).ToArray();
        var line = plot.Add.Scatter(xs, ys, color);
        line.LegendText = label;
        line.LinePattern = pattern;
        line.LineWidth = 2;
        line.MarkerSize = 6;
    }

}
