using System.Diagnostics;

namespace NativeHnsw.Tests;

/// <summary>
/// The tests/NativeHnsw.CrashChild program, run with <c>dotnet</c> from its build output next to this
/// assembly's: a crash or a kill there is a failed test here, not a dead test host.
/// </summary>
internal static class CrashChildProcess
{
    public static string Locate() => ChildProjects.Locate("NativeHnsw.CrashChild");

    public static ProcessStartInfo StartInfo(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Locate());
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>Runs the child to its end (killed after <paramref name="timeout"/>); its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        using var child = Process.Start(StartInfo(arguments))!;
        var stdout = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await child.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(TestContext.Current.CancellationToken);
            return (-1, $"killed after {timeout.TotalSeconds} s\n{await stdout}\n{await stderr}");
        }
        return (child.ExitCode, $"{await stdout}\n{await stderr}");
    }
}
