using System.Diagnostics;
using Spectre.Console;

namespace NativeHnsw.Bench.Cli;

/// <summary>The harness's console: Spectre output, a live progress bar on long steps when the terminal is interactive, plain lines otherwise.</summary>
public sealed class ConsoleUi
{
    public ConsoleUi(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        Console = console;
    }

    public IAnsiConsole Console { get; }

    public void Line(string markup) => Console.MarkupLine(markup);

    public void Note(string text) => Console.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    /// <summary>Runs a long step; <paramref name="work"/> may report progress in [0, 1] from any thread (or never: a spinner).</summary>
    public T Step<T>(string title, Func<Action<double>, T> work)
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

    public T Step<T>(string title, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Step(title, _ => work());
    }

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
