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
        string staging = Path.Combine(folder, $".{Path.GetFileName(livePath)}.restore-{Guid.NewGuid():N}.tmp");
        bool switched = false;
        try
        {
            clock.Restart();
            long bytes = 0;
            foreach (var file in backup.Files)
            {
                bool isIndex = ReferenceEquals(file, indexEntry);
                bytes += Fetch(target, backup, file, isIndex ? staging : null, options.Progress);
            }
            steps.Add(Step("checksums", $"{backup.Files.Count} file(s), {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes: length and SHA-256 match the manifest", clock));

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
                    File.Move(staging, livePath, overwrite: true);
                    switched = true;
                    DurableFile.SyncDirectory(folder);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException && !switched)
                {
                    throw new BackupDestinationException(backup.Id, $"cannot switch '{livePath}' to the restored copy: {e.Message}", e);
                }
                steps.Add(Step("switch", $"renamed over {livePath}", clock));
            }
        }
        finally
        {
            if (!switched)
                TryDelete(staging);
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
            TryDelete(path);
        }
    }

    internal static long Fetch(IBackupTarget target, BackupManifest backup, BackupFileEntry file, string? destinationPath, IProgress<BackupProgress>? progress)
    {
        (long Length, string Sha256) got;
        using (var source = target.OpenRead(backup.Id, file.Name))
        {
            var report = IndexBackup.Report(progress, "checksums", file.Length);
            if (destinationPath is null)
            {
                got = HashingCopy.Copy(source, null, report);
            }
            else
            {
                try
                {
                    using var destination = new FileStream(destinationPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
                    got = HashingCopy.Copy(source, destination, report);
                    destination.Flush(flushToDisk: true);
                }
                catch (IOException e) when (e is not BackupException)
                {
                    throw new BackupDestinationException(backup.Id, $"cannot write the restored copy '{destinationPath}' (disk full?): {e.Message}", e);
                }
            }
        }
        if (got.Length != file.Length)
            throw new BackupIntegrityException(backup.Id, $"file '{file.Name}' is {got.Length} bytes, the manifest says {file.Length} (truncated or tampered with)");
        if (got.Sha256 != file.Sha256)
            throw new BackupIntegrityException(backup.Id, $"file '{file.Name}' fails its SHA-256 check (got {got.Sha256[..16]}…, the manifest says {file.Sha256[..16]}…): tampered with or damaged");
        return got.Length;
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


    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover hidden staging file never replaces live data.
        }
    }
}
