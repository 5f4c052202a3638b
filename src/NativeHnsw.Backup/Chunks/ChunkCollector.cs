namespace NativeHnsw.Backup;

/// <summary>
/// Deletes the chunks that no readable backup of a target references: the garbage collection of a prune.
/// </summary>
/// <remarks>
/// Safe beside a backup running at the same moment, in another process or on another machine, by leases in the chunk
/// store (<see cref="ChunkLease"/>): the collector writes its lease, then looks for backups' leases, and collects only
/// when there is none younger than <see cref="BackupWriter.LeaseLifetime"/>; a backup writes its lease, then looks
/// for a collector's, and stores nothing while one stands. Written in that order, two that overlap cannot both miss
/// each other, so no chunk a running backup dedups against or has just stored is deleted. The referenced set is read
/// after the collector's lease is written and the backups' leases are found gone, so every backup that has committed by
/// then is counted. A backup whose manifest cannot be read (newer, damaged) may reference chunks this tool cannot see:
/// then nothing is collected.
/// </remarks>
public static class ChunkCollector
{
    /// <param name="now">The instant leases are aged by (a lease older than <see cref="BackupWriter.LeaseLifetime"/> is a dead holder's).</param>
    public static ChunkSweep Collect(IBackupTarget target, DateTimeOffset now, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(target);
        var store = target.Chunks;
        if (store.List().Count == 0)
            return new ChunkSweep(0, 0, 0, 0, null);
        string lease = ChunkLease.CollectorPrefix + Guid.NewGuid().ToString("N");
        if (!dryRun)
            store.WriteLease(lease, now);
        try
        {
            var live = store.ListLeases(now).Where(l => l.Name != lease && now - l.StartedUtc < BackupWriter.LeaseLifetime).ToList();
            var running = live.Where(l => l.IsBackup).ToList();
            if (running.Count > 0)
                return new ChunkSweep(0, 0, 0, 0, $"backup {string.Join(", ", running.Select(l => l.Name[ChunkLease.BackupPrefix.Length..]))} is running (its lease dates from {running.Min(l => l.StartedUtc):yyyy-MM-dd'T'HH:mm:ss'Z'}); no chunk was deleted");
            var catalog = BackupCatalog.Load(target);
            var unreadable = catalog.Problems.Where(p => p.BackupId is null || !catalog.PartialIds.Contains(p.BackupId)).ToList();
            if (unreadable.Count > 0)
                return new ChunkSweep(0, 0, 0, 0, $"{unreadable.Count} backup manifest(s) cannot be read ({unreadable[0].Message}), and may reference chunks; no chunk was deleted");
            // A pack's data without its index is a dead writer's once it was written before every lease still in
            // force began: no backup is running (else nothing is collected), and another prune that may be repacking
            // holds a lease from before its new packs' data.
            return Sweep(store, Referenced(catalog.Backups), delete: !dryRun, OrphansBefore(live, now));
        }
        finally
        {
            if (!dryRun)
                store.DeleteLease(lease);
        }
    }

    /// <summary>
    /// How far the clocks of the machines sharing a target, and of an object store's times, may disagree: pack data
    /// without its index is swept only once written this long before the leases in force began.
    /// </summary>
    internal static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(15);

    /// <summary>The instant before which pack data without its index counts as a dead writer's, given the leases in force (<paramref name="live"/>, a collector's own excepted).</summary>
    internal static DateTimeOffset OrphansBefore(IEnumerable<ChunkLease> live, DateTimeOffset now) =>
        live.Select(l => l.StartedUtc).Append(now).Min() - ClockMargin;

    /// <summary>The keys of every chunk <paramref name="backups"/> reference.</summary>
    internal static HashSet<string> Referenced(IEnumerable<BackupManifest> backups) =>
        backups.SelectMany(b => b.Files).SelectMany(f => f.Chunks ?? []).Select(c => c.Sha256).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Deletes (or, without <paramref name="delete"/>, counts) what <paramref name="store"/> holds that is not in
    /// <paramref name="referenced"/>: loose chunks one by one; a pack whose chunks are all unreferenced whole; a pack
    /// mostly unreferenced (more than half its bytes) by writing its referenced chunks to a new pack, made durable,
    /// before the old one goes. A pack mostly referenced is kept whole, its unreferenced chunks counted as kept: rewriting
    /// it for a few chunks would cost a prune more than they take. First, pack data without its index written before
    /// <paramref name="orphansWrittenBefore"/> (null: none is touched), which no backup can reference, and by the same
    /// rule a local target's temporary files never renamed into place (a live writer's are newer than its lease).
    /// </summary>
    internal static ChunkSweep Sweep(IChunkStore store, HashSet<string> referenced, bool delete, DateTimeOffset? orphansWrittenBefore = null)
    {
        int kept = 0, deleted = 0, orphans = 0, temporary = 0;
        long keptBytes = 0, deletedBytes = 0;
        if (orphansWrittenBefore is { } before && store is PackingChunkStore packing)
        {
            foreach (var orphan in packing.ListOrphanPacks())
            {
                if (orphan.WrittenUtc >= before)
                    continue;
                if (delete)
                    packing.DeleteOrphanPack(orphan.Name);
                orphans++;
                deletedBytes += orphan.Length;
            }
        }
        if (orphansWrittenBefore is { } tempBefore && store is LocalChunkStore local)
        {
            foreach (var (path, length, writtenUtc) in local.ListTemporary())
            {
                if (writtenUtc >= tempBefore)
                    continue;
                if (delete)
                    local.DeleteTemporary(path);
                temporary++;
                deletedBytes += length;
            }
        }
        foreach (var chunk in store.List())
        {
            if (chunk.Pack is not null)
                continue;
            if (referenced.Contains(chunk.Sha256))
            {
                kept++;
                keptBytes += chunk.StoredLength;
                continue;
            }
            if (delete)
                store.Delete(chunk.Sha256);
            deleted++;
            deletedBytes += chunk.StoredLength;
        }
        foreach (var pack in store.ListPacks())
        {
            var live = pack.Chunks.Where(c => referenced.Contains(c.Sha256)).ToList();
            long liveBytes = live.Sum(c => (long)c.StoredLength + PackIndex.EntryBytes);
            long allBytes = pack.Chunks.Sum(c => (long)c.StoredLength + PackIndex.EntryBytes);
            if (liveBytes * 2 >= allBytes && live.Count > 0)
            {
                kept += pack.Chunks.Count;
                keptBytes += allBytes;
                continue;
            }
            if (delete && !Repack(store, pack, live))
                continue;
            kept += live.Count;
            keptBytes += liveBytes;
            deleted += pack.Chunks.Count - live.Count;
            deletedBytes += allBytes - liveBytes;
        }
        return new ChunkSweep(kept, keptBytes, deleted, deletedBytes, null) { OrphanPacks = orphans, TemporaryFiles = temporary };
    }

    /// <summary>Writes <paramref name="live"/> of <paramref name="pack"/> to a new pack (none when empty), then deletes the old; false when its data is already gone.</summary>
    private static bool Repack(IChunkStore store, ChunkPack pack, List<PackedChunk> live)
    {
        if (live.Count > 0)
        {
            byte[]? data = store.TryReadPack(pack.Name, 0, checked((int)pack.DataLength));
            if (data is null)
                return false;
            var builder = new PackBuilder(store);
            foreach (var c in live)
                builder.Add(c.Sha256, data.AsSpan((int)c.Offset, c.StoredLength));
            builder.Close();
            store.Flush();
        }
        store.DeletePack(pack.Name);
        return true;
    }
}
