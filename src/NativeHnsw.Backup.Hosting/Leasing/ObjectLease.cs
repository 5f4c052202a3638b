using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// The lease on an object-storage target: the sidecar <c>PREFIX/.nhnsw/lease.json</c>, changed only by conditional
/// writes (<see cref="IConditionalSidecars"/>): created with <c>If-None-Match: *</c>, then replaced only with
/// <c>If-Match</c> on the version last read. Of two runners racing for a free or expired lease the server lets exactly
/// one write win; the other sees 412 and reads the winner. Renewal is a conditional replace too, so a runner whose
/// lease was taken over learns it at its next renewal and stops before its next step.
/// </summary>
/// <remarks>
/// Guarantees hold only where the server honours the preconditions (AWS S3, MinIO, R2). <see cref="Open"/> probes that
/// once and returns null for a server that ignores them (s3rver 3.7): the runner then works without a lease, loudly.
/// Expiry is judged with the runners' clocks (keep them in sync); a lease whose holder's process has ended on the
/// machine judging it (<see cref="LeaseRecord.Process"/>) is taken over without waiting. A runner paused past its
/// lease's expiry (a long GC, a suspended VM) may still finish the step it is in after another took over, as with any
/// lease without fencing.
/// </remarks>
public sealed class ObjectLease : ITargetLease
{
    public const string Name = "lease.json";

    private readonly IConditionalSidecars _target;
    private readonly string _description;
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;
    private readonly ILogger _logger;
    private string? _version;

    /// <summary>A lease on <paramref name="target"/>, whose conditional writes the caller has probed (<see cref="Open"/> does both).</summary>
    /// <param name="leaseId">The id the work done under this lease records (<see cref="WriterLease"/>); default: a new one.</param>
    /// <exception cref="ArgumentException">The target has no conditional writes.</exception>
    public ObjectLease(IBackupTarget target, string holder, TimeProvider time, TimeSpan duration, ILogger logger, string? leaseId = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        _target = target as IConditionalSidecars ?? throw new ArgumentException($"{target.Description} has no conditional writes to hold a lease with.", nameof(target));
        _description = target.Description;
        Holder = holder;
        LeaseId = leaseId is null ? Guid.NewGuid().ToString("N") : WriterLease.CheckId(leaseId);
        _time = time;
        _duration = duration;
        _logger = logger;
    }

    public string Holder { get; }

    public string LeaseId { get; }

    public string Target => _description;

    /// <summary>The lease of <paramref name="target"/>; null when it cannot be one (no conditional writes, or the server ignores them).</summary>
    /// <exception cref="BackupException">The target cannot be reached.</exception>
    public static ObjectLease? Open(IBackupTarget target, string holder, TimeProvider time, TimeSpan duration, ILogger logger, string? leaseId = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target is IConditionalSidecars conditional && conditional.ProbeConditionalWrites() ? new ObjectLease(target, holder, time, duration, logger, leaseId) : null;
    }

    public bool TryAcquire(out LeaseRecord? current)
    {
        var now = _time.GetUtcNow();
        var (existing, version) = Read();
        if (existing is not null && existing.StandsAgainst(Holder, now))
        {
            current = existing;
            return false;
        }
        var mine = LeaseRecord.Mine(Holder, LeaseId, existing?.Holder == Holder ? existing.AcquiredUtc : now, now + _duration);
        string? written = _target.TryWriteSidecar(Name, JsonSerializer.SerializeToUtf8Bytes(mine, LeaseJsonContext.Default.LeaseRecord), version);
        if (written is null)
        {
            // Another runner wrote between our read and our write: it won.
            current = Read().Record;
            return false;
        }
        // A lease expired at its acquisition was released, not lost: nothing to say.
        if (existing is not null && existing.Holder != Holder && existing.ExpiresUtc > existing.AcquiredUtc)
            _logger.LogLeaseTakenOver(_description, existing, now, Holder);
        _version = written;
        current = mine;
        return true;
    }

    public bool Renew()
    {
        var (existing, version) = Read();
        if (existing is null || existing.Holder != Holder || version != _version)
        {
            _logger.LogError("Lease on {Target} was lost by {Holder}: it is now held by {Current}", _description, Holder, existing?.ToString() ?? "nobody");
            return false;
        }
        string? written = _target.TryWriteSidecar(Name, JsonSerializer.SerializeToUtf8Bytes(existing with { ExpiresUtc = _time.GetUtcNow() + _duration }, LeaseJsonContext.Default.LeaseRecord), version);
        if (written is null)
        {
            _logger.LogError("Lease on {Target} was lost by {Holder}: another runner replaced it", _description, Holder);
            return false;
        }
        _version = written;
        return true;
    }

    public void Release()
    {
        var (existing, version) = Read();
        if (existing?.Holder != Holder || version != _version)
            return;
        // Expire it (at its acquisition: "released", so the next holder logs no takeover) rather than delete it: a
        // conditional replace cannot remove another runner's newer lease by mistake.
        _target.TryWriteSidecar(Name, JsonSerializer.SerializeToUtf8Bytes(existing with { ExpiresUtc = existing.AcquiredUtc }, LeaseJsonContext.Default.LeaseRecord), version);
        _version = null;
    }

    /// <summary>The lease as stored, for status displays; null when there is none.</summary>
    public static LeaseRecord? Peek(IBackupTarget target) =>
        target is IConditionalSidecars c && c.ReadSidecarVersion(Name) is { } found ? Parse(found.Content, target.Description, null) : null;

    private (LeaseRecord? Record, string? Version) Read()
    {
        if (_target.ReadSidecarVersion(Name) is not { } found)
            return (null, null);
        return (Parse(found.Content, _description, _logger), found.Version);
    }

    private static LeaseRecord? Parse(byte[] content, string description, ILogger? logger)
    {
        try
        {
            return JsonSerializer.Deserialize(content, LeaseJsonContext.Default.LeaseRecord);
        }
        catch (JsonException e)
        {
            // Written whole by one PUT, so an unreadable lease was edited by hand: treat it as expired, loudly.
            logger?.LogWarning(e, "Lease on {Target} is unreadable; treating it as expired", description);
            return null;
        }
    }
}
