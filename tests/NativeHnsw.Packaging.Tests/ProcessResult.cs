namespace NativeHnsw.Packaging.Tests;

/// <summary>A finished child process: its exit code and everything it wrote.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, string CommandLine)
{
    /// <summary>Throws with the command and its whole output when the exit code is not 0.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
            throw new InvalidOperationException($"`{CommandLine}` exited with {ExitCode}.\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}");
        return this;
    }
}
