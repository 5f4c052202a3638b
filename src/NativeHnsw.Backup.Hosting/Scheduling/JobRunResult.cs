namespace NativeHnsw.Backup.Hosting;

/// <summary>What one run of a job did.</summary>
public sealed record JobRunResult(JobOutcome Outcome, string Message, IReadOnlyList<JobEvent> Events)
{
    public static JobRunResult Skipped(string reason) => new(JobOutcome.Skipped, reason, []);

    /// <summary>Failed if any event failed, else succeeded; <paramref name="message"/> summarises.</summary>
    public static JobRunResult From(IReadOnlyList<JobEvent> events, string message) =>
        new(events.Any(e => e.Kind is JobEventKind.BackupFailed or JobEventKind.DrillFailed || e.Failures > 0) ? JobOutcome.Failed : JobOutcome.Succeeded, message, events);
}
