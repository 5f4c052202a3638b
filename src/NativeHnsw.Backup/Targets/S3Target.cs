using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace NativeHnsw.Backup;

/// <summary>
/// Backups in S3-compatible object storage: <c>s3://BUCKET/PREFIX/ID/FILE</c>. Object storage has no rename, so
/// visibility is the manifest: every file is uploaded first (large ones by multipart upload), the manifest last, and
/// a backup lists only once its manifest exists; a writer abandoned before commit deletes what it uploaded. Deletion
/// removes the manifest first, so a backup stops listing before any of its files go.
/// </summary>
/// <remarks>
/// Every failure is a <see cref="BackupException"/> naming the target and the problem: unreachable endpoint, wrong
/// credentials or no permission, missing bucket, missing object.
/// </remarks>
public sealed partial class S3Target : IBackupTarget, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _prefix;

    public S3Target(S3TargetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Bucket);
        if (options.PartSize < S3TargetOptions.MinimumPartSize)
            throw new ArgumentOutOfRangeException(nameof(options), options.PartSize, $"PartSize must be at least {S3TargetOptions.MinimumPartSize} bytes (S3's minimum part).");
        Options = options;
        _prefix = options.Prefix.Trim('/');
        var config = new AmazonS3Config
        {
            AuthenticationRegion = options.Region,
            ForcePathStyle = options.ForcePathStyle ?? options.Endpoint is not null,
            MaxErrorRetry = options.MaxRetries,
            Timeout = options.Timeout,
            // Checksums only where S3 requires them: S3-compatible servers often reject the newer trailing checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.Endpoint is not null)
            config.ServiceURL = options.Endpoint.ToString();
        else
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        _client = new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
        Description = $"s3://{options.Bucket}/{_prefix}" + (options.Endpoint is null ? "" : $" at {options.Endpoint}");
        Chunks = new S3ChunkStore(this);
    }

    public IChunkStore Chunks { get; }

    public S3TargetOptions Options { get; }

    public string Description { get; }

    public IReadOnlyList<string> ListIds() => [.. Scan().Where(p => p.Value.HasManifest).Select(p => p.Key)];

    public IReadOnlyList<string> ListPartialIds() => [.. Scan().Where(p => !p.Value.HasManifest).Select(p => p.Key)];

    public IReadOnlyDictionary<string, long> ListFiles(string id)
    {
        CheckId(id);
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var o in ListObjects(id, KeyOf(id, "")))
        {
            string name = o.Key[KeyOf(id, "").Length..];
            if (name != BackupManifest.FileName)
                files[name] = o.Size ?? 0;
        }
        if (files.Count == 0 && !Scan().ContainsKey(id))
            throw new BackupNotFoundException(id, $"does not exist in {Description}");
        return files;
    }

    /// <summary>
    /// Deletes the files of backups that have no manifest and in which nothing was uploaded for
    /// <paramref name="minimumAge"/>: uploads whose writer died. (Object storage has no staging place; a writer
    /// still at work keeps uploading, so its newest object stays young.)
    /// </summary>
    public IReadOnlyList<string> SweepLeftovers(TimeSpan minimumAge, DateTimeOffset now, bool dryRun)
    {
        var swept = new List<string>();
        foreach (var (id, found) in Scan())
        {
            if (found.HasManifest || now - found.NewestWrite < minimumAge)
                continue;
            if (!dryRun)
                DeleteAll(id);
            swept.Add(id);
        }
        return swept;
    }

    public BackupManifest ReadManifest(string id)
    {
        CheckId(id);
        byte[] bytes;
        try
        {
            using var stream = new ResponseStream(Call(id, $"read its {BackupManifest.FileName}", () => _client.GetObjectAsync(Options.Bucket, KeyOf(id, BackupManifest.FileName))));
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            bytes = buffer.ToArray();
        }
        catch (BackupNotFoundException e)
        {
            bool anyFile = Call(id, "list its files", () => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Options.Bucket, Prefix = KeyOf(id, ""), MaxKeys = 1 })).KeyCount > 0;
            if (anyFile)
                throw new BackupIntegrityException(id, $"is partial in {Description}: it has no {BackupManifest.FileName} (an interrupted upload)", e);
            throw new BackupNotFoundException(id, $"does not exist in {Description}", e);
        }
        return BackupManifest.Parse(bytes, id);
    }

    public Stream OpenRead(string id, string fileName)
    {
        CheckId(id);
        try
        {
            var response = Call(id, $"read '{fileName}'", () => _client.GetObjectAsync(Options.Bucket, KeyOf(id, fileName)));
            return new ResponseStream(response);
        }
        catch (BackupNotFoundException e)
        {
            throw new BackupIntegrityException(id, $"file '{fileName}' is missing from {Description}", e);
        }
    }

    public IBackupWriter Begin(string id)
    {
        CheckId(id);
        // The writer's record before its first object, so no upload under a lease is ever without one.
        return new S3Writer(this, id, ClaimWriter(id));
    }

    public void Delete(string id)
    {
        CheckId(id);
        bool claimed = ClaimWriter(id);
        // The manifest first: from then on the backup no longer lists.
        Call(id, "delete its manifest", () => _client.DeleteObjectAsync(Options.Bucket, KeyOf(id, BackupManifest.FileName)));
        DeleteAll(id);
        if (claimed)
            ReleaseWriter(id);
    }

    public void Dispose() => _client.Dispose();

    internal AmazonS3Client Client => _client;

    /// <summary>The key of a backup's file; also of the chunk store's objects, under the folder <c>.chunks</c> that no backup id can be.</summary>
    internal string KeyOf(string id, string fileName) => (_prefix.Length == 0 ? "" : _prefix + "/") + id + "/" + fileName;

    internal void DeleteAll(string id)
    {
        foreach (var o in ListObjects(id, KeyOf(id, "")))
            Call(id, $"delete '{o.Key}'", () => _client.DeleteObjectAsync(Options.Bucket, o.Key));
    }

    /// <summary>Every object under <paramref name="prefix"/>, page by page.</summary>
    internal List<S3Object> ListObjects(string? id, string prefix)
    {
        var all = new List<S3Object>();
        string? token = null;
        do
        {
            var listed = Call(id, id is null ? "list the backups" : "list its files", () => _client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = Options.Bucket,
                Prefix = prefix,
                ContinuationToken = token,
            }));
            all.AddRange(listed.S3Objects ?? []);
            token = listed.IsTruncated == true ? listed.NextContinuationToken : null;
        }
        while (token is not null);
        return all;
    }

    /// <summary>The backup ids under the prefix (sorted), each with whether its manifest is there and when its newest object was written.</summary>
    private SortedDictionary<string, (bool HasManifest, DateTimeOffset NewestWrite)> Scan()
    {
        string root = _prefix.Length == 0 ? "" : _prefix + "/";
        var found = new SortedDictionary<string, (bool HasManifest, DateTimeOffset NewestWrite)>(StringComparer.Ordinal);
        foreach (var o in ListObjects(null, root))
        {
            string rest = o.Key[root.Length..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || !BackupManifest.IsValidName(rest[..slash]))
                continue;
            string id = rest[..slash];
            var written = o.LastModified is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;
            found.TryGetValue(id, out var seen);
            found[id] = (seen.HasManifest || rest[(slash + 1)..] == BackupManifest.FileName, written > seen.NewestWrite ? written : seen.NewestWrite);
        }
        return found;
    }

    /// <summary>Runs one S3 call, turning every failure into a <see cref="BackupException"/> that says what went wrong in words.</summary>
    internal T Call<T>(string? id, string what, Func<Task<T>> call)
    {
        try
        {
            return call().GetAwaiter().GetResult();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchBucket")
        {
            throw new BackupTargetException(id, $"cannot {what}: bucket '{Options.Bucket}' does not exist ({Description})", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is "NoSuchKey" or "NoSuchUpload")
        {
            throw new BackupNotFoundException(id, $"cannot {what}: it does not exist in {Description}", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // An S3 server names what is missing (NoSuchKey, NoSuchBucket); a bare 404 comes from something else at that
            // address (a web server, a wrong path in the endpoint URL).
            throw new BackupTargetException(id, $"cannot {what}: {Description} answered 404 without an S3 error code ({e.ErrorCode ?? "none"}): it is not an S3 server, or the endpoint URL is wrong", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized
            || e.ErrorCode is "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AccessDenied")
        {
            throw new BackupTargetException(id, $"cannot {what}: access denied by {Description} ({e.ErrorCode}): wrong access key or secret, or no permission on the bucket", e);
        }
        catch (AmazonServiceException e) when (e.StatusCode == 0 || e.InnerException is HttpRequestException or IOException or TaskCanceledException)
        {
            throw new BackupTargetException(id, $"cannot {what}: the object store {Description} is unreachable: {e.InnerException?.Message ?? e.Message}", e);
        }
        catch (AmazonServiceException e)
        {
            throw new BackupTargetException(id, $"cannot {what}: {Description} answered {(int)e.StatusCode} {e.ErrorCode}: {e.Message}", e);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException)
        {
            throw new BackupTargetException(id, $"cannot {what}: the object store {Description} is unreachable: {e.Message}", e);
        }
    }

    private static void CheckId(string id)
    {
        if (!BackupManifest.IsValidName(id))
            throw new BackupMismatchException(id, "is not a valid backup id");
    }

    /// <summary>The body of a GET, disposing the response with it.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _body = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => _body.Read(buffer);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _body.Dispose();
                response.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
