namespace NativeHnsw.Backup.Hosting;

/// <summary>Who holds a target's lease, from where, and until when (judged by the runners' clocks).</summary>
public sealed record LeaseRecord(string Holder, string Host, int Pid, DateTimeOffset AcquiredUtc, DateTimeOffset ExpiresUtc)
{
    public override string ToString() => $"{Holder} on {Host} (pid {Pid}), until {ExpiresUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}";
}
