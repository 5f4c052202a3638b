using System.CommandLine;
using System.Globalization;
using NativeHnsw.Backup.Hosting;
using ScottPlot;
using Spectre.Console;

namespace NativeHnsw.Cli;

/// <summary><c>nhnsw report</c>: capacity, growth, days to quota and cost per target; RPO and RTO per source; a PNG of bytes per tier over time.</summary>
public static partial class NhnswCli
{
    private static Command ReportCommand(Context context)
    {
        var policy = PolicyOption();
        var state = StateOption();
        var png = new Option<string?>("--png") { Description = "also write a chart of stored bytes per tier over time to this PNG file" };
        var json = JsonOption();
        var command = new Command("report", "Per target and tier: bytes, backups, growth per day over the last 30 days (from each target's own history), days until its "
            + "quota, monthly cost; per source: RPO (age of the newest good backup) and the last drill's RTO against the policy. Exit 1 when an objective is missed.")
        {
            policy, state, png, json,
        };
        command.SetAction(parsed =>
        {
            string file = parsed.GetValue(policy)!;
            var loaded = LoadPolicy(context, file, quotas: false);
            var st = ReadState(loaded, file, parsed.GetValue(state));
            var report = CapacityReport.Build(loaded, DateTimeOffset.UtcNow, st);
            string? chart = parsed.GetValue(png) is { } p ? Path.GetFullPath(p) : null;
            if (chart is not null)
                WriteTierChart(report, chart);
            if (!report.Ok)
                context.ExitCode = Failed;
            if (context.Ui.Json)
            {
                context.Json(new
                {
                    ok = report.Ok,
                    utc = report.Utc,
                    monthlyCost = report.TotalMonthlyCost,
                    png = chart,
                    targets = report.Targets.Select(t => new
                    {
                        t.Target,
                        t.Tier,
                        t.Backups,
                        t.Bytes,
                        t.GrowthBytesPerDay,
                        t.QuotaBytes,
                        t.DaysToQuota,
                        t.MonthlyCost,
                        history = t.History.Select(h => new { h.Utc, h.Bytes, h.Backups }),
                    }),
                    tiers = report.Targets.GroupBy(t => t.Tier).Select(g => new { tier = g.Key, bytes = g.Sum(t => t.Bytes), backups = g.Sum(t => t.Backups), monthlyCost = g.Sum(t => t.MonthlyCost ?? 0) }),
                    sources = report.Sources.Select(s => new
                    {
                        s.Source,
                        s.NewestGoodUtc,
                        rpoSeconds = s.Rpo?.TotalSeconds,
                        rpoTargetSeconds = s.RpoTarget?.TotalSeconds,
                        s.RpoMet,
                        s.LastDrillUtc,
                        s.LastDrillPassed,
                        lastDrillRtoSeconds = s.LastDrillRto?.TotalSeconds,
                        rtoTargetSeconds = s.RtoTarget?.TotalSeconds,
                        s.RtoMet,
                        s.Problem,
                    }),
                });
                return;
            }
            var targets = new Table().AddColumns("target", "tier").AddColumn(new TableColumn("backups").RightAligned()).AddColumn(new TableColumn("stored").RightAligned())
                .AddColumn(new TableColumn("growth / day").RightAligned()).AddColumn(new TableColumn("quota").RightAligned()).AddColumn(new TableColumn("days to quota").RightAligned())
                .AddColumn(new TableColumn("cost / month").RightAligned());
            foreach (var t in report.Targets)
            {
                targets.AddRow(Markup.Escape(t.Target), Markup.Escape(t.Tier), t.Backups.ToString(CultureInfo.InvariantCulture), Bytes(t.Bytes),
                    t.GrowthBytesPerDay is { } g ? (g < 0 ? "-" + Bytes((long)-g) : Bytes((long)g)) : "[grey]< 1 day of history[/]",
                    t.QuotaBytes is { } q ? Bytes(q) : "none",
                    t.DaysToQuota is { } d ? d.ToString("0", CultureInfo.InvariantCulture) : t.QuotaBytes is null ? "" : t.GrowthBytesPerDay is null ? "-" : "not growing",
                    t.MonthlyCost is { } c ? CostText.Format(c) : "no price");
            }
            context.Ui.Write(targets);
            var sources = new Table().AddColumns("source", "newest good backup", "RPO", "last drill", "RTO");
            foreach (var s in report.Sources)
            {
                sources.AddRow(Markup.Escape(s.Source),
                    s.NewestGoodUtc is { } n ? Utc(n) : $"[red]{Markup.Escape(s.Problem ?? "none")}[/]",
                    Verdict(s.Rpo is { } age ? Age(age) : "-", s.RpoTarget, s.RpoMet),
                    s.LastDrillUtc is { } at ? Utc(at) + (s.LastDrillPassed == true ? " [green]passed[/]" : " [red]failed[/]") : "never",
                    Verdict(s.LastDrillRto is { } rto ? DurationText.Format(rto) : "-", s.RtoTarget, s.RtoMet));
            }
            context.Ui.Write(sources);
            context.Ui.Line($"monthly cost: {CostText.Total(report.Targets.Select(t => t.MonthlyCost))}" + (chart is null ? "" : $"; chart: {Markup.Escape(chart)}"));
        });
        return command;
    }

    private static string Verdict(string value, TimeSpan? objective, bool? met) => objective is null
        ? value + (met == false ? " [red]failed[/]" : "")
        : value + $" / {DurationText.Format(objective.Value)}" + (met switch { true => " [green]met[/]", false => " [red]missed[/]", null => "" });

    /// <summary>Stored bytes per tier (in GB, or MB below a GB), one line each, over the span of the targets' histories.</summary>
    private static void WriteTierChart(CapacityReport report, string path)
    {
        using var plot = new Plot();
        var tiers = report.BytesPerTier();
        long max = tiers.Values.SelectMany(p => p).Select(p => p.Bytes).DefaultIfEmpty(0).Max();
        (double scale, string unit) = max >= 1e9 ? (1e9, "GB") : (1e6, "MB");
        foreach (var (tier, points) in tiers)
        {
            var line = plot.Add.Scatter(points.Select(p => p.Utc.UtcDateTime.ToOADate()).ToArray(), points.Select(p => p.Bytes / scale).ToArray());
            line.LegendText = tier;
            line.LineWidth = 2;
            line.MarkerSize = 4;
        }
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsY(0, Math.Max(max / scale * 1.1, 1));
        plot.Axes.DateTimeTicksBottom();
        plot.Axes.Left.Label.Text = $"stored ({unit})";
        plot.Title("Stored bytes per tier");
        plot.ShowLegend(Edge.Right);
        try
        {
            plot.SavePng(path, 1000, 560);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write the chart '{path}': {e.Message}", e);
        }
    }
}
