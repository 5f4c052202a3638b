using System.Diagnostics;

namespace NativeHnsw.Backup.Tests;

/// <summary>A real process that has ended: started, read while it ran, killed and reaped.</summary>
internal static class EndedProcess
{
    /// <summary>The ended process's pid, start instant and <see cref="ProcessIdentity"/>.</summary>
    public static (int Pid, DateTime StartedUtc, string Identity) Run()
    {
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var started = sleeper.StartTime.ToUniversalTime();
        string? identity = ProcessIdentity.Of(sleeper.Id);
        sleeper.Kill();
        sleeper.WaitForExit();
        Assert.NotNull(identity);
        return (sleeper.Id, started, identity);
    }

    /// <summary>The identity of a process that has ended.</summary>
    public static string Identity() => Run().Identity;
}
