using System.Globalization;

namespace NativeHnsw.Backup;

/// <summary>The moment a point-in-time restore brings a store to: an instant, or a commit sequence number.</summary>
public sealed record PointInTime
{
    private PointInTime(DateTimeOffset? at, long? sequence)
    {
        At = at;
        Sequence = sequence;
    }

    /// <summary>Every commit at or before this instant (by the writer's clock), none after it.</summary>
    public DateTimeOffset? At { get; }

    /// <summary>Every commit up to and including this sequence number, none after it.</summary>
    public long? Sequence { get; }

    public static PointInTime Instant(DateTimeOffset at) => new(at.ToUniversalTime(), null);

    public static PointInTime Commit(long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        return new(null, sequence);
    }

    /// <summary>Whether a commit is at or before this point.</summary>
    public bool Includes(long sequence, DateTimeOffset committedAt) => At is { } t ? committedAt <= t : sequence <= Sequence!.Value;

    public override string ToString() => At is { } t ? ChangeSegment.Utc(t) : "commit " + Sequence!.Value.ToString(CultureInfo.InvariantCulture);
}
