using NativeHnsw.Backup.Internal;

namespace NativeHnsw.Backup;

/// <summary>
/// Full backups of one index. The source is first fixed as a local snapshot (a copy read through one open handle —
/// <see cref="HnswIndex.Save"/> replaces a file by rename, never in place, so the handle sees one version whole;
/// or <see cref="HnswIndex.Save"/> itself, which is point-in-time while writes wait). The snapshot is verified,
/// summarised, probed with sample queries, then streamed to the target with its SHA-256, manifest last.
/// </summary>
public static class IndexBackup
{
    /// <summary>The index file's name inside a backup.</summary>
    public const string IndexFileName = "index.hnsw";

    /// <summary>The role of the index file in a manifest.</summary>
    public const string IndexRole = "index";

    /// <summary>Backs up the index file at <paramref name="indexPath"/>; it may be replaced by saves meanwhile.</summary>
    /// <exception cref="IndexFormatException">The source file is missing or damaged: a damaged index is never backed up.</exception>
    /// <exception cref="BackupException">The target failed.</exception>
    public static BackupManifest BackupFile(string indexPath, IBackupTarget target, BackupOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(indexPath);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new BackupOptions();
        var createdUtc = (options.CreatedUtc ?? DateTimeOffset.UtcNow).ToUniversalTime();
        string snapshot = SnapshotPath(options);
        try
        {
            using (var source = OpenSource(indexPath))
            using (var copy = new FileStream(snapshot, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                long total = source.Length;
                HashingCopy.Copy(source, copy, Report(options.Progress, "snapshot", total));
            }
            try
            {
                return Upload(snapshot, Path.GetFullPath(indexPath), createdUtc, target, options);
            }
            catch (IndexFormatException e) when (Path.GetFullPath(e.FilePath) == Path.GetFullPath(snapshot))
            {
                // The snapshot is a byte copy of the user's file: its damage is the file's, and the file is what to name.
                throw new IndexFormatException(Path.GetFullPath(indexPath), e.Section, e.Offset, e.Problem, e);
            }
        }
        finally
        {
            File.Delete(snapshot);
        }
    }

    /// <summary>Backs up a live index: a point-in-time save (writers wait for it, searches go on), then the same as <see cref="BackupFile"/>.</summary>
    /// <param name="source">Where the index comes from, for the manifest (its file path, or a service name).</param>
    public static BackupManifest BackupIndex(HnswIndex index, string source, IBackupTarget target, BackupOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new BackupOptions();
        var createdUtc = (options.CreatedUtc ?? DateTimeOffset.UtcNow).ToUniversalTime();
        string snapshot = SnapshotPath(options);
        try
        {
            index.Save(snapshot);
            return Upload(snapshot, source, createdUtc, target, options);
        }
        finally
        {
            File.Delete(snapshot);
        }
    }

    private static BackupManifest Upload(string snapshot, string source, DateTimeOffset createdUtc, IBackupTarget target, BackupOptions options)
    {
        var verification = HnswIndex.Verify(snapshot);
        ProbeSet probe;
        using (var opened = HnswIndex.Open(snapshot))
            probe = Probe.Record(opened, seed: (int)(createdUtc.ToUnixTimeMilliseconds() & 0x7fff_ffff), options.ProbeQueries, options.ProbeK);
        string id = BackupManifest.NewId(createdUtc);
        using var writer = target.Begin(id);
        BackupFileEntry entry;
        using (var stream = new FileStream(snapshot, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan))
            entry = options.Chunked
                ? writer.WriteChunked(IndexFileName, IndexRole, stream, ChunkedFileKind.Index, Report(options.Progress, "upload", stream.Length))
                : writer.Write(IndexFileName, IndexRole, stream, Report(options.Progress, "upload", stream.Length));
        var manifest = new BackupManifest
        {
            FormatVersion = BackupManifest.FormatVersionFor([entry]),
            Id = id,
            CreatedUtc = createdUtc,
            Kind = BackupKind.Full,
            Parent = null,
            SourceKind = BackupSourceKind.Index,
            Source = source,
            ToolVersion = BackupManifest.LibraryVersion,
            Index = IndexSummary.From(verification),
            Files = [entry],
            Probe = probe,
            StoredBytes = writer.StoredBytes,
        };
        writer.Commit(manifest);
        return manifest;
    }

    private static FileStream OpenSource(string path)
    {
        try
        {
            // FileShare.Delete: a save may rename a new version over the path while this handle reads the old one.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new IndexFormatException(path, null, -1, "the file does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IndexFormatException(path, null, -1, "the file cannot be opened: " + e.Message, e);
        }
    }

    private static string SnapshotPath(BackupOptions options)
    {
        string folder = options.TempDirectory ?? Path.GetTempPath();
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $"nhnsw-snapshot-{Guid.NewGuid():N}.hnsw");
    }

    internal static IProgress<long>? Report(IProgress<BackupProgress>? progress, string step, long total) =>
        progress is null ? null : new SyncProgress<long>(done => progress.Report(new BackupProgress(step, done, total)));
}
