using System.Diagnostics;
using Spectre.Console;

namespace NativeHnsw.Bench.Cli;

/// <summary>The harness's console: Spectre output, a live progress bar on long steps when the terminal is interactive, plain lines otherwise.</summary>
public sealed class ConsoleUi
{
    private readonly TimeProvider _time;

    /// <param name="time">The clock that paces plain progress lines (a fake one in tests).</param>
    public ConsoleUi(IAnsiConsole console, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        Console = console;
        _time = time ?? TimeProvider.System;
    }

    public IAnsiConsole Console { get; }

    public void Line(string markup) => Console.MarkupLine(markup);

    public void Note(string text) => Console.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    /// <summary>Runs a long step; <paramref name="work"/> may report progress in [0, 1] from any thread (or never: a spinner).</summary>
    public T Step<T>(string title, Func<Action<double>, T> work) => Step(title, work, 0, "");

    private T Step<T>(string title, Func<Action<double>, T> work, long total, string unit)
    {
        ArgumentNullException.ThrowIfNull(work);
        long start = Stopwatch.GetTimestamp();
        T result;
        if (Console.Profile.Capabilities.Interactive)
        {
            result = Console.Progress()
                .AutoClear(true)
                .Columns(new SpinnerColumn(), new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask(Markup.Escape(title), maxValue: 1.0);
                    task.IsIndeterminate = true;
                    var value = work(fraction =>
                    {
                        task.IsIndeterminate = false;
                        task.Value = Math.Clamp(fraction, 0, 1);
                        if (total > 0)
                            task.Description = Markup.Escape(ReportCount(title, (long)Math.Round(task.Value * total), total, unit));
                    });
                    task.Value = 1.0;
                    return value;
                });
        }
        else
        {
            result = work(_ => { });
        }
        Console.MarkupLine($"[grey]{Markup.Escape(title)}: {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s[/]");
        return result;
    }

    /// <summary>
    /// Runs a long step with a real count: <paramref name="work"/> reports how many of <paramref name="total"/>
    /// <paramref name="unit"/> are done (from any thread). On a terminal, a progress bar with the count; otherwise a
    /// plain line at most every <see cref="PlainProgressInterval"/>, so a log shows the step moving.
    /// </summary>
    public T Step<T>(string title, long total, string unit, Func<Action<long>, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (Console.Profile.Capabilities.Interactive)
        {
            return Step(title, fraction => work(done => fraction(total == 0 ? 1 : (double)done / total)), total, unit);
        }
        var gate = new Lock();
        long lastPrinted = _time.GetTimestamp();
        return Step(title, _ => work(done =>
        {
            lock (gate)
            {
                if (_time.GetElapsedTime(lastPrinted) < PlainProgressInterval || done >= total)
                    return;
                lastPrinted = _time.GetTimestamp();
                Console.MarkupLine($"[grey]{Markup.Escape(title)}: {done:N0}/{total:N0} {Markup.Escape(unit)}[/]");
            }
        }));
    }

    /// <summary>How often a step's count is printed when the output is not a terminal.</summary>
    public static TimeSpan PlainProgressInterval { get; } = TimeSpan.FromSeconds(5);

    public T Step<T>(string title, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Step(title, _ => work());
    }

    private static string ReportCount(string title, long done, long total, string unit) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{title} ({done:N0}/{total:N0} {unit})");

    public void Step(string title, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Step(title, _ =>
        {
            work();
            return 0;
        });
    }
}
