namespace NativeHnsw.Backup;

/// <summary>What one round of shipping did.</summary>
/// <param name="Segments">The segments written this round, oldest first.</param>
/// <param name="Commits">Commits shipped this round.</param>
/// <param name="LastShipped">The newest commit durable on the target after the round (0 before any).</param>
/// <param name="Pending">Commits still waiting in the store's log.</param>
/// <param name="Lags">For each commit shipped, the time from its commit to its segment being durable on the target.</param>
/// <param name="Snapshot">The base snapshot taken this round (the target had none to build on), or null.</param>
/// <param name="Problem">Why shipping stopped short this round (the target is down, the backlog is over the bound), or null.</param>
public sealed record ShipReport(
    IReadOnlyList<ChangeSegment> Segments, int Commits, long LastShipped, long Pending, IReadOnlyList<TimeSpan> Lags,
    string? Snapshot, string? Problem)
{
    public bool Ok => Problem is null;
}
