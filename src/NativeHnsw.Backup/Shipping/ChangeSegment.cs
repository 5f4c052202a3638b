using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup;

/// <summary>
/// A sealed run of consecutive commits of a store's change log, as shipped to a target. Binary, little-endian:
/// <code>
/// "NHCS" | format u16 (1) | 0 u16 | first i64 | last i64 | first commit ms i64 | last commit ms i64 | count i32
/// count × ( sequence i64 | commit ms i64 | length i32 | body )
/// SHA-256 of every byte before it (32)
/// </code>
/// Its name carries the same ranges (<see cref="Name"/>), so a restore picks the segments it needs from a listing,
/// and a reader checks that name, header and content agree.
/// </summary>
public sealed partial record ChangeSegment(long FirstSequence, long LastSequence, DateTimeOffset FirstCommit, DateTimeOffset LastCommit)
{
    public const int FormatVersion = 1;

    private const int HeaderLength = 4 + 2 + 2 + 8 * 4 + 4;
    private const int HashLength = 32;
    private static ReadOnlySpan<byte> Magic => "NHCS"u8;

    /// <summary><c>{first:D19}-{last:D19}-{first ms:D15}-{last ms:D15}.seg</c>: sorts by sequence, names both ranges.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture,
        $"{FirstSequence:D19}-{LastSequence:D19}-{FirstCommit.ToUnixTimeMilliseconds():D15}-{LastCommit.ToUnixTimeMilliseconds():D15}.seg");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"segment {FirstSequence}–{LastSequence} ({Utc(FirstCommit)} – {Utc(LastCommit)})");

    internal static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The segment a name describes, or null when the name is not a segment's.</summary>
    public static ChangeSegment? TryParseName(string name)
    {
        var m = NamePattern().Match(name);
        if (!m.Success)
            return null;
        long Parse(int group) => long.Parse(m.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
        long first = Parse(1), last = Parse(2);
        if (last < first)
            return null;
        return new ChangeSegment(first, last, DateTimeOffset.FromUnixTimeMilliseconds(Parse(3)), DateTimeOffset.FromUnixTimeMilliseconds(Parse(4)));
    }

    /// <summary>Seals consecutive commits into a segment's bytes.</summary>
    public static (ChangeSegment Segment, byte[] Bytes) Seal(IReadOnlyList<LoggedCommit> commits)
    {
        ArgumentNullException.ThrowIfNull(commits);
        if (commits.Count == 0)
            throw new ArgumentException("a segment holds at least one commit", nameof(commits));
        for (int i = 1; i < commits.Count; i++)
        {
            if (commits[i].Sequence != commits[i - 1].Sequence + 1)
                throw new ArgumentException($"commits {commits[i - 1].Sequence} and {commits[i].Sequence} are not consecutive", nameof(commits));
        }
        var segment = new ChangeSegment(commits[0].Sequence, commits[^1].Sequence, commits[0].CommittedAt, commits[^1].CommittedAt);
        long length = HeaderLength + HashLength + commits.Sum(c => 20L + c.Body.Length);
        var bytes = new byte[length];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], segment.FirstSequence);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], segment.LastSequence);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], segment.FirstCommit.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(span[32..], segment.LastCommit.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], commits.Count);
        int at = HeaderLength;
        foreach (var c in commits)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], c.Sequence);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], c.CommittedAt.ToUnixTimeMilliseconds());
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 16)..], c.Body.Length);
            c.Body.CopyTo(span[(at + 20)..]);
            at += 20 + c.Body.Length;
        }
        SHA256.HashData(span[..at], span[at..]);
        return (segment, bytes);
    }

    /// <summary>Checks a segment's bytes (checksum, format, and that they hold what the name says) and returns its commits.</summary>
    /// <exception cref="BackupIntegrityException">A check failed; the message names the segment and what is wrong.</exception>
    public IReadOnlyList<LoggedCommit> Open(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var span = bytes.AsSpan();
        if (span.Length < HeaderLength + HashLength || !span[..4].SequenceEqual(Magic))
            throw Damaged("it is not a change segment (no NHCS header)");
        if (!SHA256.HashData(span[..^HashLength]).AsSpan().SequenceEqual(span[^HashLength..]))
            throw Damaged("its SHA-256 does not match its content (damaged or truncated)");
        int version = BinaryPrimitives.ReadUInt16LittleEndian(span[4..]);
        if (version != FormatVersion)
            throw Damaged($"it is of segment format {version}; this tool reads format {FormatVersion} (use a newer tool)");
        var header = new ChangeSegment(
            BinaryPrimitives.ReadInt64LittleEndian(span[8..]), BinaryPrimitives.ReadInt64LittleEndian(span[16..]),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[24..])),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(span[32..])));
        if (header != this)
            throw Damaged($"its header says {header}, its name {this}");
        int count = BinaryPrimitives.ReadInt32LittleEndian(span[40..]);
        if ((long)count != LastSequence - FirstSequence + 1)
            throw Damaged($"it holds {count} commits for the range {FirstSequence}–{LastSequence}");
        var commits = new List<LoggedCommit>(count);
        int at = HeaderLength, end = span.Length - HashLength;
        for (int i = 0; i < count; i++)
        {
            if (end - at < 20)
                throw Damaged($"commit {i + 1} of {count} is cut off");
            long seq = BinaryPrimitives.ReadInt64LittleEndian(span[at..]);
            long ms = BinaryPrimitives.ReadInt64LittleEndian(span[(at + 8)..]);
            int length = BinaryPrimitives.ReadInt32LittleEndian(span[(at + 16)..]);
            if (seq != FirstSequence + i || length < 0 || length > end - at - 20)
                throw Damaged($"commit {i + 1} of {count} is out of order or cut off");
            commits.Add(new LoggedCommit(seq, DateTimeOffset.FromUnixTimeMilliseconds(ms), span.Slice(at + 20, length).ToArray()));
            at += 20 + length;
        }
        if (at != end)
            throw Damaged("it has bytes after its last commit");
        return commits;
    }

    private BackupIntegrityException Damaged(string problem) => new(null, $"{this} ({Name}): {problem}");

    [GeneratedRegex(@"^(\d{19})-(\d{19})-(\d{15})-(\d{15})\.seg$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
