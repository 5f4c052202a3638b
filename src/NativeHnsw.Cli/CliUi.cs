using System.Diagnostics;
using NativeHnsw.Backup;
using Spectre.Console;

namespace NativeHnsw.Cli;

/// <summary>The tool's console: Spectre markup for people, a progress bar on long steps when the terminal is interactive, nothing extra under <c>--json</c>.</summary>
internal sealed class CliUi(IAnsiConsole console, bool json)
{
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

    /// <summary>Runs a long step with a byte-progress bar (interactive terminals only) and reports its time.</summary>
    public T Step<T>(string title, Func<IProgress<BackupProgress>?, T> work)
    {
        long start = Stopwatch.GetTimestamp();
        T result;
        if (!Json && Console.Profile.Capabilities.Interactive)
        {
            result = Console.Progress()
                .AutoClear(true)
                .Columns(new SpinnerColumn(), new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask(Markup.Escape(title), maxValue: 1.0);
                    task.IsIndeterminate = true;
                    var progress = new Reporter(p =>
                    {
                        task.IsIndeterminate = false;
                        task.Description = Markup.Escape($"{title}: {p.Step}");
                        task.Value = p.Total > 0 ? Math.Clamp((double)p.Done / p.Total, 0, 1) : 1;
                    });
                    var value = work(progress);
                    task.Value = 1.0;
                    return value;
                });
        }
        else
        {
            result = work(null);
        }
        Line($"[grey]{Markup.Escape(title)}: {Stopwatch.GetElapsedTime(start).TotalSeconds:F2} s[/]");
        return result;
    }

    private sealed class Reporter(Action<BackupProgress> report) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => report(value);
    }
}
