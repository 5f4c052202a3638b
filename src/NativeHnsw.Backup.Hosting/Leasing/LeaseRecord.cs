namespace NativeHnsw.Backup.Hosting;

/// <summary>Who holds a target's lease, from where, and until when (judged by the runners' clocks).</summary>
public sealed record LeaseRecord(string Holder, string Host, int Pid, DateTimeOffset AcquiredUtc, DateTimeOffset ExpiresUtc)
{
    /// <summary>
    /// The id the holder's writes record (<see cref="WriterLease"/>) while it holds the lease: what a later holder, under
    /// another id, may sweep at once. Null in a lease written before ids existed.
    /// </summary>
    public string? LeaseId { get; init; }

    /// <summary>
    /// The holder's process (<see cref="ProcessIdentity"/>: boot id, PID namespace, PID, start ticks): a lease whose
    /// process has provably ended is taken over before its expiry. Null where the holder could not tell (not Linux) and
    /// in a lease written before this existed: such a lease waits for its expiry.
    /// </summary>
    public string? Process { get; init; }

    /// <summary>A lease of this process, until <paramref name="expiresUtc"/>.</summary>
    internal static LeaseRecord Mine(string holder, string leaseId, DateTimeOffset acquiredUtc, DateTimeOffset expiresUtc) =>
        new(holder, Environment.MachineName, Environment.ProcessId, acquiredUtc, expiresUtc) { LeaseId = leaseId, Process = ProcessIdentity.Current };

    /// <summary>Whether this lease, held by someone other than <paramref name="holder"/>, still stands at <paramref name="now"/>: unexpired, and its process not proven ended (<see cref="ProcessIdentity.IsGone"/>).</summary>
    internal bool StandsAgainst(string holder, DateTimeOffset now) => Holder != holder && ExpiresUtc > now && !ProcessIdentity.IsGone(Process);

    public override string ToString() => $"{Holder} on {Host} (pid {Pid}), until {ExpiresUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}";
}
