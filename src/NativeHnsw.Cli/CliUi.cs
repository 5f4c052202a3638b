using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Backup;
using Spectre.Console;

namespace NativeHnsw.Cli;

/// <summary>
/// The tool's console: Spectre markup for people; on long steps a progress bar with real counts when the terminal is
/// interactive, else a plain line at every tenth of the way (logs and pipes get no escape codes); nothing extra under
/// <c>--json</c>.
/// </summary>
internal sealed class CliUi(IAnsiConsole console, bool json)
{
    /// <summary>The unit of byte counts (formatted as KiB, MiB, …).</summary>
    public const string BytesUnit = BackupProgress.Bytes;

    /// <summary>Plain progress lines are written for byte steps of at least this size; smaller ones finish at once.</summary>
    internal const long PlainLineMinimumBytes = 16L << 20;

    public IAnsiConsole Console { get; } = console;

    public bool Json { get; } = json;

    public void Line(string markup)
    {
        if (!Json)
            Console.MarkupLine(markup);
    }

    public void Write(Spectre.Console.Rendering.IRenderable renderable)
    {
        if (!Json)
            Console.Write(renderable);
    }

    /// <summary>Runs a backup or restore step, its progress in bytes per file, and reports its time.</summary>
    public T Step<T>(string title, Func<IProgress<BackupProgress>?, T> work) =>
        CountedStep(title, progress => work(new Reporter<BackupProgress>(p => progress.Report(new StepProgress(p.Step, p.Done, p.Total, p.Unit)))));

    /// <summary>Runs a long step that reports its progress in counts, and reports its time.</summary>
    public T CountedStep<T>(string title, Func<IProgress<StepProgress>, T> work)
    {
        long start = Stopwatch.GetTimestamp();
        T result;
        if (Json)
        {
            result = work(new Reporter<StepProgress>(_ => { }));
        }
        else if (Console.Profile.Capabilities.Interactive)
        {
            var counts = new CountColumn();
            result = Console.Progress()
                .AutoClear(true)
                .Columns(new SpinnerColumn(), new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), counts, new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask(Markup.Escape(title), maxValue: 1.0);
                    task.IsIndeterminate = true;
                    var value = work(new Reporter<StepProgress>(p =>
                    {
                        task.IsIndeterminate = false;
                        counts.Unit = p.Unit;
                        task.Description = Markup.Escape(p.Phase is null ? title : $"{title}: {p.Phase}");
                        task.MaxValue = Math.Max(p.Total, 1);
                        task.Value = Math.Clamp(p.Done, 0, task.MaxValue);
                    }));
                    task.Value = task.MaxValue;
                    return value;
                });
        }
        else
        {
            result = work(new PlainLines(this, title));
        }
        Line($"[grey]{Markup.Escape(title)}: {Stopwatch.GetElapsedTime(start).TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s[/]");
        return result;
    }

    internal static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    internal sealed class Reporter<TValue>(Action<TValue> report) : IProgress<TValue>
    {
        public void Report(TValue value) => report(value);
    }

    /// <summary>Progress for a console that is not a terminal: one line each time a phase passes another tenth of its total.</summary>
    private sealed class PlainLines(CliUi ui, string title) : IProgress<StepProgress>
    {
        private (string? Phase, long Total) _current = (null, -1);
        private long _tenths;

        public void Report(StepProgress value)
        {
            if (value.Total <= 0 || (value.Unit == BytesUnit && value.Total < PlainLineMinimumBytes))
                return;
            if (_current != (value.Phase, value.Total))
            {
                _current = (value.Phase, value.Total);
                _tenths = 0;
            }
            long tenths = Math.Clamp(value.Done, 0, value.Total) * 10 / value.Total;
            if (tenths <= _tenths)
                return;
            _tenths = tenths;
            string name = value.Phase is null ? title : $"{title}: {value.Phase}";
            long done = Math.Clamp(value.Done, 0, value.Total);
            string of = value.Unit == BytesUnit ? $"{NhnswCli.Bytes(done)} of {NhnswCli.Bytes(value.Total)}" : $"{Count(done)} of {Count(value.Total)} {value.Unit}";
            ui.Line(Markup.Escape($"{name}: {done * 100 / value.Total} % ({of})"));
        }
    }
}
