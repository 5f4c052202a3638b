using Amazon.S3.Model;

namespace NativeHnsw.Backup;

/// <summary>
/// The chunks of an <see cref="S3Target"/>: <c>PREFIX/.chunks/XX/KEY</c> and leases under <c>PREFIX/.chunks/leases/</c>
/// ('.' is not a backup id's first character, so the target's listing never takes them for a backup). A PUT is whole
/// or absent and S3 reads after writes consistently, so <see cref="Flush"/> has nothing to do.
/// </summary>
internal sealed class S3ChunkStore(S3Target target) : IChunkStore
{
    private string Root => target.KeyOf(".chunks", "");

    public string Description => $"{target.Description} (chunks)";

    public IReadOnlyList<StoredChunk> List()
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

    public bool Put(string sha256, ReadOnlySpan<byte> framed)
    {
        using var body = new MemoryStream(framed.ToArray(), writable: false);
        target.Call(null, $"store chunk {sha256}", () => target.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = target.Options.Bucket,
            Key = KeyOf(sha256),
            InputStream = body,
            AutoCloseStream = false,
            UseChunkEncoding = false,
        }));
        return true;
    }

    public byte[]? TryRead(string sha256)
    {
        try
        {
            using var response = target.Call(null, $"read chunk {sha256}", () => target.Client.GetObjectAsync(target.Options.Bucket, KeyOf(sha256)));
            using var buffer = new MemoryStream();
            response.ResponseStream.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (BackupNotFoundException)
        {
            return null;
        }
    }

    public void Flush()
    {
    }

    public void Delete(string sha256) =>
        target.Call(null, $"delete chunk {sha256}", () => target.Client.DeleteObjectAsync(target.Options.Bucket, KeyOf(sha256)));

    public void WriteLease(string name, DateTimeOffset startedUtc)
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

    public IReadOnlyList<ChunkLease> ListLeases(DateTimeOffset now)
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

    public void DeleteLease(string name) =>
        target.Call(null, $"delete lease '{name}'", () => target.Client.DeleteObjectAsync(target.Options.Bucket, LeaseKey(name)));

    private string KeyOf(string sha256) => Root + ChunkKeys.Check(sha256)[..2] + "/" + sha256;

    private string LeaseKey(string name) =>
        Root + "leases/" + (BackupManifest.IsValidName(name) ? name : throw new ArgumentException($"'{name}' is not a valid lease name.", nameof(name)));
}
