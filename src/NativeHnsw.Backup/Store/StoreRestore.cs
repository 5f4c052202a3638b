using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Backup.Internal;
using NativeHnsw.IO;
using NativeHnsw.Storage;
using static NativeHnsw.Backup.RestoreCommon;

namespace NativeHnsw.Backup;

/// <summary>
/// Restores a store backup onto a store folder. Order: select → resolve the chain → fetch every file of every backup
/// in the chain into a staging folder beside the live one, checking length and SHA-256 → open the staged store
/// (recovering each collection's index) → compare collections, shapes and counts with the manifest → look up and
/// query the sample records → switch: the live folder is renamed aside, the staged one renamed in, then the old one
/// deleted (a failure between the renames puts the old one back). The live store is touched only by the switch, and
/// only when no client holds it (its <c>LOCK</c> is taken for the switch).
/// </summary>
public static class StoreRestore
{
    /// <exception cref="BackupException">A check failed, or the live store is in use; the message names the backup and the problem.</exception>
    public static RestoreReport Restore(IBackupTarget target, BackupSelector selector, string storeFolder, RestoreOptions? options = null) =>
        Restore(target, selector, storeFolder, options, keepChangeFeed: false);

    /// <param name="keepChangeFeed">Leave the backup's change-shipping log as it was (a point-in-time restore reads its position, then disables it itself).</param>
    internal static RestoreReport Restore(IBackupTarget target, BackupSelector selector, string storeFolder, RestoreOptions? options, bool keepChangeFeed)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentException.ThrowIfNullOrEmpty(storeFolder);
        options ??= new RestoreOptions();
        string live = Path.TrimEndingDirectorySeparator(Path.GetFullPath(storeFolder));
        var steps = new List<RestoreStep>();

        var clock = Stopwatch.StartNew();
        var catalog = BackupCatalog.Load(target);
        var backup = catalog.Select(selector);
        var chain = catalog.ChainOf(backup);
        steps.Add(Step("select", DescribeSelection(selector, backup, chain.Count), clock));
        foreach (var link in chain)
        {
            if (link.SourceKind != BackupSourceKind.Store || link.Store is null)
                throw new BackupMismatchException(link.Id, $"is a {link.SourceKind.ToString().ToLowerInvariant()} backup, not a store backup");
        }
        CheckRestorable(backup, live);

        string parent = Path.GetDirectoryName(live)!;
        EnsureFolder(backup, parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(live)}.restore-{Guid.NewGuid():N}");
        bool switched = false;
        try
        {
            clock.Restart();
            long bytes = 0;
            int files = 0;
            var deltas = new List<(BackupManifest Backup, string Path)>();
            var times = new ChunkRestoreTimes();
            foreach (var link in chain)
            {
                foreach (var file in link.Files)
                {
                    string? destination = Destination(link, file, staging, deltas);
                    if (destination is not null)
                        EnsureFolder(link, Path.GetDirectoryName(destination)!);
                    bytes += IndexRestore.Fetch(target, link, file, destination, options.Progress, times);
                    files++;
                }
            }
            steps.Add(Step("checksums", $"{files} file(s) in {chain.Count} backup(s), {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes: length and SHA-256 match the manifests", clock) with { Parts = times.Parts() });

            clock.Restart();
            var summary = backup.Store!;
            using (var client = OpenStaged(backup, staging))
            {
                steps.Add(Step("open", $"{summary.Collections.Count} collection(s) recovered", clock));
                if (deltas.Count > 0)
                {
                    clock.Restart();
                    // Each incremental is applied whole; a long chain moves the bar one link at a time.
                    for (int i = 0; i < deltas.Count; i++)
                    {
                        options.Progress?.Report(new BackupProgress("apply", i, deltas.Count, "incrementals"));
                        StoreDelta.Apply(client, deltas[i].Backup, deltas[i].Path);
                    }
                    options.Progress?.Report(new BackupProgress("apply", deltas.Count, deltas.Count, "incrementals"));
                    steps.Add(Step("apply", $"{deltas.Count} incremental(s) applied in order", clock));
                }
                clock.Restart();
                CheckCounts(backup, client, summary);
                steps.Add(Step("counts", $"collections, dims, metric, HNSW parameters and {summary.Collections.Sum(c => c.Records).ToString("N0", CultureInfo.InvariantCulture)} records: as the manifest says", clock));
                clock.Restart();
                int probes = CheckSamples(backup, client, summary);
                steps.Add(Step("queries", $"{probes} sample records found and each is its own nearest neighbour", clock));
            }

            if (!options.DryRun)
            {
                clock.Restart();
                // A restored copy is not the store that was shipping: left on, its log would grow with nothing to ship it.
                if (!keepChangeFeed)
                    ChangeFeed.Disable(staging);
                Switch(backup, staging, live);
                switched = true;
                steps.Add(Step("switch", $"renamed over {live}", clock));
            }
        }
        finally
        {
            if (!switched)
                FileCleanup.TryDeleteFolder(staging);
        }
        return new RestoreReport(backup, [.. chain.Select(c => c.Id)], live, options.DryRun, switched, steps);
    }

    /// <summary>A recovery drill: restores into a new folder under <paramref name="scratchDirectory"/> (never a live store), times every step, and deletes the copy.</summary>
    public static RestoreReport Drill(IBackupTarget target, BackupSelector selector, string scratchDirectory, RestoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(scratchDirectory);
        string path = Path.Combine(Path.GetFullPath(scratchDirectory), $"drill-{Guid.NewGuid():N}");
        try
        {
            var report = Restore(target, selector, path, (options ?? new RestoreOptions()) with { DryRun = false });
            return report with { DryRun = true, Switched = false };
        }
        finally
        {
            FileCleanup.TryDeleteFolder(path);
        }
    }

    private static string? Destination(BackupManifest link, BackupFileEntry file, string staging, List<(BackupManifest, string)> deltas)
    {
        if (link.Kind == BackupKind.Incremental)
        {
            if (file.Role != StoreDelta.Role)
                return null;
            string path = Path.Combine(staging, ".deltas", link.Id + ".delta");
            deltas.Add((link, path));
            return path;
        }
        if (file.Role == StoreBackup.DatabaseRole)
            return Path.Combine(staging, StoreFolder.DatabaseFileName);
        if (file.Role == StoreBackup.CheckpointRole)
        {
            var owner = link.Store!.Collections.FirstOrDefault(c => c.CheckpointFile == file.Name)
                ?? throw new BackupIntegrityException(link.Id, $"file '{file.Name}' is a checkpoint of no collection in the manifest");
            return Path.Combine(staging, owner.CheckpointPath!.Replace('/', Path.DirectorySeparatorChar));
        }
        return null;
    }

    private static PersistentClient OpenStaged(BackupManifest backup, string staging)
    {
        try
        {
            return new PersistentClient(staging, new StoreOptions { Checkpoints = new CheckpointPolicy { Interval = null } });
        }
        catch (StoreException e)
        {
            throw new BackupIntegrityException(backup.Id, $"the restored store cannot be opened: {e.Message}", e);
        }
    }

    private static void CheckCounts(BackupManifest backup, PersistentClient client, StoreSummary summary)
    {
        var names = client.ListCollections();
        var expected = summary.Collections.Select(c => c.Name).Order(StringComparer.Ordinal).ToList();
        if (!names.SequenceEqual(expected, StringComparer.Ordinal))
            throw new BackupIntegrityException(backup.Id, $"the restored store has collections [{string.Join(", ", names)}], the manifest says [{string.Join(", ", expected)}]");
        foreach (var c in summary.Collections)
        {
            var collection = client.GetCollection(c.Name);
            var o = collection.Options;
            if (o.Dimensions != c.Dimensions || o.Metric != c.Metric || o.M != c.M || o.EfConstruction != c.EfConstruction || o.DefaultEf != c.DefaultEf || o.Seed != c.Seed)
                throw new BackupIntegrityException(backup.Id, $"collection '{c.Name}' is restored with options {o}, not as the manifest says");
            int count = collection.Count();
            if (count != c.Records)
                throw new BackupIntegrityException(backup.Id, $"collection '{c.Name}' has {count} records after the restore, the manifest says {c.Records}");
        }
    }

    private static int CheckSamples(BackupManifest backup, PersistentClient client, StoreSummary summary)
    {
        int checkedCount = 0;
        foreach (var c in summary.Collections)
        {
            if (c.SampleIds.Count == 0)
                continue;
            var collection = client.GetCollection(c.Name);
            var found = collection.Get(c.SampleIds, include: Include.Embeddings);
            if (found.Count != c.SampleIds.Count)
                throw new BackupIntegrityException(backup.Id, $"collection '{c.Name}': {c.SampleIds.Count - found.Count} of the sample records are missing after the restore");
            foreach (var record in found)
            {
                var hits = collection.Query(record.Embedding!, k: 1, include: Include.None);
                if (hits.Count == 0 || hits[0].Distance > 1e-3f)
                    throw new BackupIntegrityException(backup.Id, $"collection '{c.Name}': a query by record '{record.Id}''s own vector does not find it (the restored index does not answer)");
                checkedCount++;
            }
        }
        return checkedCount;
    }

    private static void Switch(BackupManifest backup, string staging, string live)
    {
        CheckRestorable(backup, live);
        try
        {
            StoreFolder.Replace(staging, live);
        }
        catch (StoreLockedException e)
        {
            throw new BackupStoreInUseException(backup.Id, $"the store '{live}' is open in a client (its LOCK is held); close it and restore again. Nothing was changed.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupDestinationException(backup.Id, $"cannot switch '{live}' to the restored copy: {e.Message}", e);
        }
    }

    /// <summary>The live path must be absent, an empty folder, or a store: the switch deletes what it replaces.</summary>
    private static void CheckRestorable(BackupManifest backup, string live)
    {
        if (File.Exists(live))
            throw new BackupMismatchException(backup.Id, $"cannot restore a store onto '{live}': it is a file");
        if (Directory.Exists(live) && !StoreFolder.IsStore(live) && Directory.EnumerateFileSystemEntries(live).Any())
            throw new BackupMismatchException(backup.Id, $"cannot restore a store onto '{live}': it is a folder that holds files but no {StoreFolder.DatabaseFileName}, so it is not a store (restoring would replace it)");
    }
}
