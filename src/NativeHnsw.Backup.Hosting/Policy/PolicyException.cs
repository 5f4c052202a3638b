namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// A policy that cannot be used: unreadable JSON, an unknown key, a bad cron or time zone, tier rules with gaps or
/// overlaps, a name that refers to nothing, a retention that keeps nothing, a quota below what is stored.
/// <see cref="JsonPath"/> names the bad field (<c>$.jobs[2].cron</c>).
/// </summary>
public sealed class PolicyException : Exception
{
    public PolicyException(string? file, string jsonPath, string problem, Exception? innerException = null)
        : base($"{(file is null ? "policy" : file)}: {jsonPath}: {problem}", innerException)
    {
        File = file;
        JsonPath = jsonPath;
        Problem = problem;
    }

    /// <summary>The policy file, when the policy came from one.</summary>
    public string? File { get; }

    /// <summary>JSON path of the bad field, <c>$</c> for the whole document.</summary>
    public string JsonPath { get; }

    public string Problem { get; }
}
