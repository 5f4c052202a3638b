namespace NativeHnsw.Backup.Hosting;

/// <summary>Who holds a target's lease, from where, and until when (judged by the runners' clocks).</summary>
public sealed record LeaseRecord(string Holder, string Host, int Pid, DateTimeOffset AcquiredUtc, DateTimeOffset ExpiresUtc)
{
    /// <summary>
    /// The id the holder's writes record (<see cref="WriterLease"/>) while it holds the lease: what a later holder, under
    /// another id, may sweep at once. Null in a lease written before ids existed.
    /// </summary>
    public string? LeaseId { get; init; }

    public override string ToString() => $"{Holder} on {Host} (pid {Pid}), until {ExpiresUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}";
}
