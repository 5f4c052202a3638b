using Amazon.S3.Model;
using NativeHnsw.IO;

namespace NativeHnsw.Backup;

/// <summary>
/// Where a target keeps shipped change segments: under <c>.changes/</c> beside its backups (a name starting with '.'
/// is never a backup id, so listings, retention and sweeps of backups leave it alone). Writing a segment is atomic:
/// a reader sees it whole or not at all.
/// </summary>
public abstract class SegmentStore
{
    /// <summary>The folder (or key prefix) under the target's root.</summary>
    public const string FolderName = ".changes";

    public abstract string Description { get; }

    /// <summary>The segments present, by first sequence (names that are not a segment's are ignored).</summary>
    /// <exception cref="BackupException">The target cannot be listed.</exception>
    public abstract IReadOnlyList<ChangeSegment> List();

    /// <summary>Stores a sealed segment durably; when this returns, the segment survives a crash of this machine.</summary>
    /// <exception cref="BackupException">The target cannot be written.</exception>
    public abstract void Write(ChangeSegment segment, byte[] bytes);

    /// <summary>A segment's bytes.</summary>
    /// <exception cref="BackupSegmentMissingException">It is not there.</exception>
    /// <exception cref="BackupException">The target cannot be read.</exception>
    public abstract byte[] Read(ChangeSegment segment);

    /// <summary>The segment store of a local folder or S3 target.</summary>
    /// <exception cref="ArgumentException">Another kind of target: give a <see cref="SegmentStore"/> of its own.</exception>
    public static SegmentStore For(IBackupTarget target) => target switch
    {
        LocalFolderTarget local => new LocalSegmentStore(Path.Combine(local.Root, FolderName)),
        S3Target s3 => new S3SegmentStore(s3),
        _ => throw new ArgumentException($"{target?.Description}: change segments are kept by local folder and S3 targets only; pass a SegmentStore for this target", nameof(target)),
    };

    protected static IReadOnlyList<ChangeSegment> Parse(IEnumerable<string> names) =>
        [.. names.Select(ChangeSegment.TryParseName).OfType<ChangeSegment>().OrderBy(s => s.FirstSequence).ThenBy(s => s.LastSequence)];

    protected static BackupSegmentMissingException Missing(ChangeSegment segment, string where, Exception? inner) =>
        new(segment.FirstSequence, segment.LastSequence, $"{segment} is listed but missing from {where}", inner);

    private sealed class LocalSegmentStore(string folder) : SegmentStore
    {
        public override string Description => folder;

        public override IReadOnlyList<ChangeSegment> List()
        {
            try
            {
                return Directory.Exists(folder) ? Parse(Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>()) : [];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new BackupTargetException(null, $"cannot list the change segments in '{folder}': {e.Message}", e);
            }
        }

        public override void Write(ChangeSegment segment, byte[] bytes)
        {
            try
            {
                Directory.CreateDirectory(folder);
                // Temporary file, fsync, rename, fsync of the folder: the segment is there whole after a crash, or not at all.
                DurableFile.ReplaceAtomically(Path.Combine(folder, segment.Name), handle => RandomAccess.Write(handle, bytes, 0), bytes.Length);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new BackupTargetException(null, $"cannot write {segment} to '{folder}': {e.Message}", e);
            }
        }

        public override byte[] Read(ChangeSegment segment)
        {
            string path = Path.Combine(folder, segment.Name);
            try
            {
                return File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw Missing(segment, folder, e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new BackupTargetException(null, $"cannot read {segment} from '{folder}': {e.Message}", e);
            }
        }
    }

    private sealed class S3SegmentStore(S3Target target) : SegmentStore
    {
        public override string Description => target.Description + "/" + FolderName;

        private string KeyOf(string name) => target.KeyOf(FolderName, name);

        public override IReadOnlyList<ChangeSegment> List()
        {
            var names = new List<string>();
            string prefix = KeyOf("");
            string? token = null;
            do
            {
                var listed = target.Call(null, "list the change segments", () => target.Client.ListObjectsV2Async(new ListObjectsV2Request
                {
                    BucketName = target.Options.Bucket,
                    Prefix = prefix,
                    ContinuationToken = token,
                }));
                names.AddRange((listed.S3Objects ?? []).Select(o => o.Key[prefix.Length..]));
                token = listed.IsTruncated == true ? listed.NextContinuationToken : null;
            }
            while (token is not null);
            return Parse(names);
        }

        // One PUT is atomic on S3: the object appears whole, or not at all; the segment's own SHA-256 is checked on read.
        public override void Write(ChangeSegment segment, byte[] bytes)
        {
            using var body = new MemoryStream(bytes, writable: false);
            target.Call(null, $"write {segment}", () => target.Client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = target.Options.Bucket,
                Key = KeyOf(segment.Name),
                InputStream = body,
                AutoCloseStream = false,
                UseChunkEncoding = false,
            }));
        }

        public override byte[] Read(ChangeSegment segment)
        {
            try
            {
                using var response = target.Call(null, $"read {segment}", () => target.Client.GetObjectAsync(target.Options.Bucket, KeyOf(segment.Name)));
                using var buffer = new MemoryStream();
                response.ResponseStream.CopyTo(buffer);
                return buffer.ToArray();
            }
            catch (BackupNotFoundException e)
            {
                throw Missing(segment, Description, e);
            }
        }
    }
}
