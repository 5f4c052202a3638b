using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Backup.Internal;
using NativeHnsw.IO;
using static NativeHnsw.Backup.RestoreCommon;

namespace NativeHnsw.Backup;

/// <summary>
/// Restores an index backup onto a live path. Order: select → resolve the chain → copy every file to a staging file
/// beside the live one, checking length and SHA-256 → <see cref="HnswIndex.Verify"/> → open and compare shape and
/// counts with the manifest → replay the sample queries → rename over the live file (then fsync the folder). The
/// live file is replaced only by that last rename, after every check passed; any failure before it deletes the
/// staging file and leaves the live file byte-identical.
/// </summary>
public static class IndexRestore
{
    /// <exception cref="BackupException">A check failed; the message names the backup and the problem.</exception>
    public static RestoreReport Restore(IBackupTarget target, BackupSelector selector, string livePath, RestoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentException.ThrowIfNullOrEmpty(livePath);
        options ??= new RestoreOptions();
        livePath = Path.GetFullPath(livePath);
        var steps = new List<RestoreStep>();

        var clock = Stopwatch.StartNew();
        var catalog = BackupCatalog.Load(target);
        var backup = catalog.Select(selector);
        var chain = catalog.ChainOf(backup);
        steps.Add(Step("select", DescribeSelection(selector, backup, chain.Count), clock));

        if (chain.Count > 1)
            throw new BackupMismatchException(backup.Id, $"is incremental (a chain of {chain.Count}); this version restores full backups only");
        if (backup.SourceKind != BackupSourceKind.Index || backup.Index is null || backup.Probe is null)
            throw new BackupMismatchException(backup.Id, $"is a {backup.SourceKind.ToString().ToLowerInvariant()} backup, not an index backup");
        var indexEntry = backup.FileWithRole(IndexBackup.IndexRole);

        string folder = Path.GetDirectoryName(livePath)!;
        EnsureFolder(backup, folder);
        DurableReplacement replacement;
        try
        {
            replacement = DurableFile.BeginReplace(livePath);
        }
        catch (IOException e)
        {
            throw new BackupDestinationException(backup.Id, $"cannot create the restored copy beside '{livePath}': {e.Message}", e);
        }
        bool switched = false;
        using (replacement)
        {
            string staging = replacement.TemporaryPath;
            clock.Restart();
            long bytes = 0;
            var times = new ChunkRestoreTimes();
            foreach (var file in backup.Files)
            {
                if (ReferenceEquals(file, indexEntry))
                {
                    // Through a second handle on the temporary file: the replacement's own stays open for its commit, which fsyncs every write.
                    using var destination = new FileStream(staging, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
                    bytes += Fetch(target, backup, file, destination, options.Progress, times);
                }
                else
                {
                    bytes += Fetch(target, backup, file, (Stream?)null, options.Progress, times);
                }
            }
            int chunks = backup.Files.Sum(f => f.Chunks?.Count ?? 0);
            string fromChunks = chunks == 0 ? "" : $", put together from {chunks.ToString("N0", CultureInfo.InvariantCulture)} chunks each matching its SHA-256 key";
            steps.Add(Step("checksums", $"{backup.Files.Count} file(s), {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes{fromChunks}: length and SHA-256 match the manifest", clock) with { Parts = times.Parts() });

            clock.Restart();
            IndexVerification verification;
            try
            {
                verification = HnswIndex.Verify(staging);
            }
            catch (IndexFormatException e)
            {
                throw new BackupIntegrityException(backup.Id, $"the index file fails verification: {e.Problem}" + (e.Section is null ? "" : $" (section {e.Section})"), e);
            }
            steps.Add(Step("verify", $"index format {verification.FormatVersion}: every section checksum and graph invariant holds", clock));

            clock.Restart();
            using (var index = OpenStaged(backup, staging))
            {
                steps.Add(Step("open", $"{index.Count.ToString("N0", CultureInfo.InvariantCulture)} records × {index.Dimensions} dims, {index.Metric}", clock));
                clock.Restart();
                CheckShape(backup, backup.Index, verification);
                steps.Add(Step("counts", $"records {verification.Count}, vectors {verification.NodeCount}, deleted {verification.DeletedCount}, dims {verification.Options.Dimensions}, metric, M, ef: as the manifest says", clock));
                clock.Restart();
                string? mismatch = Probe.Check(index, backup.Probe);
                if (mismatch is not null)
                    throw new BackupIntegrityException(backup.Id, "the restored index does not answer as the backed-up one did: " + mismatch);
                steps.Add(Step("queries", $"{backup.Probe.Expected.Count} sample queries (k={backup.Probe.K}) answer exactly as recorded", clock));
            }

            if (!options.DryRun)
            {
                clock.Restart();
                try
                {
                    replacement.Commit();
                    switched = true;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException && File.Exists(replacement.TemporaryPath))
                {
                    // Still there: the rename did not happen, and the live file is as it was.
                    throw new BackupDestinationException(backup.Id, $"cannot switch '{livePath}' to the restored copy: {e.Message}", e);
                }
                steps.Add(Step("switch", $"renamed over {livePath}", clock));
            }
        }
        return new RestoreReport(backup, [.. chain.Select(c => c.Id)], livePath, options.DryRun, switched, steps);
    }

    /// <summary>
    /// A recovery drill: restores into <paramref name="scratchDirectory"/> (never a live path), times every step,
    /// then loads the restored index fully into memory as a service would at startup, and deletes the copy.
    /// </summary>
    public static RestoreReport Drill(IBackupTarget target, BackupSelector selector, string scratchDirectory, RestoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(scratchDirectory);
        string path = Path.Combine(Path.GetFullPath(scratchDirectory), $"drill-{Guid.NewGuid():N}.hnsw");
        try
        {
            var report = Restore(target, selector, path, (options ?? new RestoreOptions()) with { DryRun = false });
            var clock = Stopwatch.StartNew();
            int count;
            using (var loaded = HnswIndex.Load(path))
                count = loaded.Count;
            var load = Step("load", $"full in-memory load of {count.ToString("N0", CultureInfo.InvariantCulture)} records", clock);
            return report with { Steps = [.. report.Steps, load], DryRun = true, Switched = false };
        }
        finally
        {
            FileCleanup.TryDeleteFile(path);
        }
    }

    /// <summary>
    /// Reads one file of a backup (whole, or put together from its chunks, each checked against its key) into
    /// <paramref name="destination"/> (null: only checks it), checking its length and SHA-256 against the manifest.
    /// </summary>
    /// <param name="times">Where a chunked fetch's time goes, added to (null: not measured).</param>
    internal static long Fetch(IBackupTarget target, BackupManifest backup, BackupFileEntry file, Stream? destination, IProgress<BackupProgress>? progress, ChunkRestoreTimes? times = null)
    {
        var report = IndexBackup.Report(progress, "checksums", file.Length);
        if (file.Chunks is not null)
            return Written(backup, destination, () => ChunkedFile.Restore(target.Chunks, backup, file, destination, report, times));
        (long Length, string Sha256) got;
        using (var source = target.OpenRead(backup.Id, file.Name))
            got = Written(backup, destination, () => HashingCopy.Copy(source, destination, report));
        if (got.Length != file.Length)
            throw new BackupIntegrityException(backup.Id, $"file '{file.Name}' is {got.Length} bytes, the manifest says {file.Length} (truncated or tampered with)");
        if (got.Sha256 != file.Sha256)
            throw new BackupIntegrityException(backup.Id, $"file '{file.Name}' fails its SHA-256 check (got {got.Sha256[..16]}…, the manifest says {file.Sha256[..16]}…): tampered with or damaged");
        return got.Length;
    }

    /// <summary>The same fetch into a new file at <paramref name="destinationPath"/> (null: only checks it), flushed to disk.</summary>
    internal static long Fetch(IBackupTarget target, BackupManifest backup, BackupFileEntry file, string? destinationPath, IProgress<BackupProgress>? progress, ChunkRestoreTimes? times = null)
    {
        if (destinationPath is null)
            return Fetch(target, backup, file, (Stream?)null, progress, times);
        FileStream destination;
        try
        {
            destination = new FileStream(destinationPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        }
        catch (IOException e)
        {
            throw new BackupDestinationException(backup.Id, $"cannot create the restored copy '{destinationPath}': {e.Message}", e);
        }
        using (destination)
        {
            long length = Fetch(target, backup, file, destination, progress, times);
            Written(backup, destination, () => { destination.Flush(flushToDisk: true); return 0; });
            return length;
        }
    }

    /// <summary>Runs a copy into the restored copy, naming a failure to write it (a full disk) as the destination's, not the backup's.</summary>
    private static T Written<T>(BackupManifest backup, Stream? destination, Func<T> copy)
    {
        try
        {
            return copy();
        }
        catch (IOException e) when (e is not BackupException && destination is not null)
        {
            throw new BackupDestinationException(backup.Id, $"cannot write the restored copy{(destination is FileStream f ? $" '{f.Name}'" : "")} (disk full?): {e.Message}", e);
        }
    }

    private static HnswIndex OpenStaged(BackupManifest backup, string staging)
    {
        try
        {
            return HnswIndex.Open(staging);
        }
        catch (IndexFormatException e)
        {
            throw new BackupIntegrityException(backup.Id, $"the restored index cannot be opened: {e.Problem}", e);
        }
    }

    private static void CheckShape(BackupManifest backup, IndexSummary expected, IndexVerification got)
    {
        // The reader reports its own format version; a newer tool restoring an older backup is fine.
        var actual = IndexSummary.From(got) with { FormatVersion = expected.FormatVersion };
        if (actual != expected)
            throw new BackupIntegrityException(backup.Id, $"the restored index does not match the manifest: it has {actual}, the manifest says {expected}");
    }
}
