namespace NativeHnsw.Backup;

/// <summary>
/// A note in a chunk store that a writer of chunks is at work (<c>backup-ID</c>) or that a prune is deleting
/// unreferenced chunks (<c>gc-…</c>), with the instant it began. Each side writes its own lease and then looks for
/// the other's, so at least one of two that overlap sees the other and stands back (see <see cref="ChunkCollector"/>).
/// </summary>
public readonly record struct ChunkLease(string Name, DateTimeOffset StartedUtc)
{
    internal const string BackupPrefix = "backup-";
    internal const string CollectorPrefix = "gc-";

    public bool IsBackup => Name.StartsWith(BackupPrefix, StringComparison.Ordinal);

    public bool IsCollector => Name.StartsWith(CollectorPrefix, StringComparison.Ordinal);

    internal static byte[] Encode(DateTimeOffset startedUtc) =>
        System.Text.Encoding.UTF8.GetBytes(startedUtc.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A lease whose content cannot be read counts as just begun: a damaged note must not let a prune delete chunks in use.</summary>
    internal static ChunkLease Decode(string name, ReadOnlySpan<byte> content, DateTimeOffset now) =>
        DateTimeOffset.TryParse(System.Text.Encoding.UTF8.GetString(content), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var t)
            ? new ChunkLease(name, t)
            : new ChunkLease(name, now);
}
