using System.Diagnostics;
using System.Text;

namespace NativeHnsw.Packaging.Tests;

/// <summary>Runs the dotnet CLI (or a tool it installed) as a child process with a controlled environment.</summary>
internal static class DotnetCli
{
    /// <summary>The dotnet host running these tests, so the children use the same SDK installation.</summary>
    public static string DotnetPath { get; } = LocateDotnet();

    /// <summary>The folder of <see cref="DotnetPath"/>: what an installed tool's apphost needs as DOTNET_ROOT.</summary>
    public static string DotnetRoot => Path.GetDirectoryName(DotnetPath)!;

    public static ProcessResult Run(
        string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        // The test host may run under an SDK command whose MSBuild variables would steer the child's build.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_ROOT"] = DotnetRoot;
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
                start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish in {timeout}:\n{stdout}\n{stderr}");
        }
        process.WaitForExit(); // drains the redirected streams
        return new ProcessResult(process.ExitCode, stdout.ToString(), stderr.ToString(), $"{fileName} {string.Join(' ', start.ArgumentList)}");
    }

    private static string LocateDotnet()
    {
        // Set by the dotnet CLI for the processes it starts; otherwise the dotnet on PATH, resolved through links.
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
            return host;
        string name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = new FileInfo(Path.Combine(dir, name));
            if (candidate.Exists)
                return candidate.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate.FullName;
        }
        throw new FileNotFoundException("dotnet was not found: DOTNET_HOST_PATH is unset and no dotnet is on PATH.");
    }
}
