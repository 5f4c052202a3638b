using System.Diagnostics;

namespace NativeHnsw.Testing;

/// <summary>
/// Runs some of a test assembly's own tests again in a child process (<c>dotnet exec</c> of the assembly, a
/// Microsoft.Testing.Platform program) with extra environment variables, for tests whose subject is fixed per process:
/// an instruction set switched off, a native library the loader picks once.
/// </summary>
public static class TestAssemblyChild
{
    /// <summary>How a child run ended; <see cref="Describe"/> says what ran and what it printed, for a failure message.</summary>
    public sealed record Result(string Command, int ExitCode, bool TimedOut, string Output, string Error)
    {
        public bool Passed => !TimedOut && ExitCode == 0;

        public string Describe() =>
            TimedOut ? $"{Command}: did not finish in time.\n{Output}\n{Error}" : $"{Command}: exit code {ExitCode}.\n{Output}\n{Error}";
    }

    /// <summary>
    /// Runs <paramref name="assembly"/> with <paramref name="arguments"/> (filters, <c>--minimum-expected-tests</c>)
    /// and <paramref name="environment"/> added to this process's; a child still running after
    /// <paramref name="timeout"/> is killed.
    /// </summary>
    public static async Task<Result> RunAsync(string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(assembly);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (string argument in (string[])["--no-ansi", "--progress", "off"])
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        string command = string.Join(' ', environment.Select(e => $"{e.Key}={e.Value}").Append("dotnet").Concat(start.ArgumentList));

        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = child.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        bool timedOut = false;
        try
        {
            await child.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(cancellationToken);
        }
        return new Result(command, child.ExitCode, timedOut, await stdout, await stderr);
    }
}
