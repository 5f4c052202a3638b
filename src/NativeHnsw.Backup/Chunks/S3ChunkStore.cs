using Amazon.S3.Model;

namespace NativeHnsw.Backup;

/// <summary>
/// The chunks of an <see cref="S3Target"/>: loose ones in <c>PREFIX/.chunks/XX/KEY</c>, packs in
/// <c>PREFIX/.chunks/packs/NAME.pack</c> and <c>NAME.idx</c>, leases under <c>PREFIX/.chunks/leases/</c> ('.' is not a
/// backup id's first character, so the target's listing never takes them for a backup). A PUT is whole or absent and
/// S3 reads after writes consistently, so <see cref="Flush"/> has nothing to do. A packed chunk is read with a ranged GET.
/// </summary>
internal sealed class S3ChunkStore(S3Target target) : PackingChunkStore
{
    private string Root => target.KeyOf(".chunks", "");

    private string PackRoot => Root + "packs/";

    public override string Description => $"{target.Description} (chunks)";

    protected override IReadOnlyList<StoredChunk> ListLoose()
    {
        var chunks = new List<StoredChunk>();
        foreach (var o in target.ListObjects(null, Root))
        {
            string name = o.Key[(o.Key.LastIndexOf('/') + 1)..];
            if (ChunkKeys.IsKey(name) && !o.Key.StartsWith(Root + "leases/", StringComparison.Ordinal))
                chunks.Add(new StoredChunk(name, o.Size ?? 0));
        }
        return chunks;
    }

    public override bool Put(string sha256, ReadOnlySpan<byte> framed)
    {
        PutObject(KeyOf(sha256), framed, $"store chunk {sha256}");
        return true;
    }

    protected override byte[]? TryReadLoose(string sha256) => TryGet(KeyOf(sha256), $"read chunk {sha256}", null);

    public override void Flush()
    {
    }

    public override void Delete(string sha256) =>
        target.Call(null, $"delete chunk {sha256}", () => target.Client.DeleteObjectAsync(target.Options.Bucket, KeyOf(sha256)));

    // An object whose time is not given counts as just written: it is never taken for a dead writer's.
    protected override IReadOnlyDictionary<string, PackObject> ListPackObjects() =>
        target.ListObjects(null, PackRoot).ToDictionary(o => o.Key[PackRoot.Length..],
            o => new PackObject(o.Size ?? 0, o.LastModified is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MaxValue), StringComparer.Ordinal);

    protected override byte[]? TryReadPackObject(string objectName, long offset, int length)
    {
        byte[]? bytes = TryGet(PackRoot + objectName, $"read {objectName}", length < 0 ? null : new ByteRange(offset, offset + length - 1));
        return bytes is null || length < 0 ? bytes : bytes.Length == length ? bytes : null;
    }

    protected override void PutPackObject(string objectName, ReadOnlySpan<byte> bytes) => PutObject(PackRoot + objectName, bytes, $"store {objectName}");

    protected override void DeletePackObject(string objectName) =>
        target.Call(null, $"delete {objectName}", () => target.Client.DeleteObjectAsync(target.Options.Bucket, PackRoot + objectName));

    private void PutObject(string key, ReadOnlySpan<byte> bytes, string what)
    {
        using var body = new MemoryStream(bytes.ToArray(), writable: false);
        target.Call(null, what, () => target.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = target.Options.Bucket,
            Key = key,
            InputStream = body,
            AutoCloseStream = false,
            UseChunkEncoding = false,
        }));
    }

    private byte[]? TryGet(string key, string what, ByteRange? range)
    {
        try
        {
            var request = new GetObjectRequest { BucketName = target.Options.Bucket, Key = key };
            if (range is not null)
                request.ByteRange = range;
            using var response = target.Call(null, what, () => target.Client.GetObjectAsync(request));
            using var buffer = new MemoryStream();
            response.ResponseStream.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (BackupNotFoundException)
        {
            return null;
        }
    }

    public override void WriteLease(string name, DateTimeOffset startedUtc)
    {
        using var body = new MemoryStream(ChunkLease.Encode(startedUtc), writable: false);
        target.Call(null, $"write lease '{name}'", () => target.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = target.Options.Bucket,
            Key = LeaseKey(name),
            InputStream = body,
            AutoCloseStream = false,
            UseChunkEncoding = false,
        }));
    }

    public override IReadOnlyList<ChunkLease> ListLeases(DateTimeOffset now)
    {
        var leases = new List<ChunkLease>();
        foreach (var o in target.ListObjects(null, Root + "leases/"))
        {
            string name = o.Key[(Root.Length + "leases/".Length)..];
            byte[] content;
            try
            {
                using var response = target.Call(null, $"read lease '{name}'", () => target.Client.GetObjectAsync(target.Options.Bucket, o.Key));
                using var buffer = new MemoryStream();
                response.ResponseStream.CopyTo(buffer);
                content = buffer.ToArray();
            }
            catch (BackupNotFoundException)
            {
                continue;
            }
            leases.Add(ChunkLease.Decode(name, content, now));
        }
        return leases;
    }

    public override void DeleteLease(string name) =>
        target.Call(null, $"delete lease '{name}'", () => target.Client.DeleteObjectAsync(target.Options.Bucket, LeaseKey(name)));

    private string KeyOf(string sha256) => Root + ChunkKeys.Check(sha256)[..2] + "/" + sha256;

    private string LeaseKey(string name) =>
        Root + "leases/" + (BackupManifest.IsValidName(name) ? name : throw new ArgumentException($"'{name}' is not a valid lease name.", nameof(name)));
}
