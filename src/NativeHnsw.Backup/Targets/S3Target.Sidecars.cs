using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace NativeHnsw.Backup;

public sealed partial class S3Target : IConditionalSidecars
{
    public byte[]? ReadSidecar(string name)
    {
        string key = SidecarKey(name);
        try
        {
            using var stream = new ResponseStream(Call(null, $"read '{key}'", () => _client.GetObjectAsync(Options.Bucket, key)));
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (BackupNotFoundException)
        {
            return null;
        }
    }

    public void WriteSidecar(string name, ReadOnlySpan<byte> content)
    {
        string key = SidecarKey(name);
        var body = new MemoryStream(content.ToArray(), writable: false);
        // One PUT: S3 makes an object visible whole or not at all, so readers never see a torn record.
        Call(null, $"write '{key}'", () => _client.PutObjectAsync(new PutObjectRequest { BucketName = Options.Bucket, Key = key, InputStream = body, AutoCloseStream = true, UseChunkEncoding = false }));
    }

    public bool DeleteSidecar(string name)
    {
        string key = SidecarKey(name);
        if (ListObjects(null, key).All(o => o.Key != key))
            return false;
        Call(null, $"delete '{key}'", () => _client.DeleteObjectAsync(Options.Bucket, key));
        return true;
    }

    public IReadOnlyList<string> ListSidecars(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string root = SidecarKey(null);
        return [.. ListObjects(null, root + prefix).Select(o => o.Key[root.Length..]).Order(StringComparer.Ordinal)];
    }

    public (byte[] Content, string Version)? ReadSidecarVersion(string name)
    {
        string key = SidecarKey(name);
        try
        {
            using var response = Call(null, $"read '{key}'", () => _client.GetObjectAsync(Options.Bucket, key));
            string etag = response.ETag;
            using var stream = new ResponseStream(response);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return (buffer.ToArray(), etag);
        }
        catch (BackupNotFoundException)
        {
            return null;
        }
    }

    public string? TryWriteSidecar(string name, ReadOnlySpan<byte> content, string? expectedVersion)
    {
        string key = SidecarKey(name);
        var request = new PutObjectRequest { BucketName = Options.Bucket, Key = key, InputStream = new MemoryStream(content.ToArray(), writable: false), AutoCloseStream = true, UseChunkEncoding = false };
        if (expectedVersion is null)
            request.IfNoneMatch = "*";
        else
            request.IfMatch = expectedVersion;
        try
        {
            return Call(null, $"write '{key}'", () => _client.PutObjectAsync(request)).ETag;
        }
        catch (BackupException e) when (e.InnerException is AmazonS3Exception { StatusCode: HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict })
        {
            // 412: the record is not as expected; 409: a concurrent conditional write to it is in flight. Either way another writer won.
            return null;
        }
        catch (BackupNotFoundException) when (expectedVersion is not null)
        {
            // If-Match on a record that is gone.
            return null;
        }
    }

    public bool ProbeConditionalWrites()
    {
        string name = "probe/conditional-" + Guid.NewGuid().ToString("N");
        try
        {
            if (TryWriteSidecar(name, "1"u8, null) is null)
                return false;
            return TryWriteSidecar(name, "2"u8, null) is null;
        }
        finally
        {
            DeleteSidecar(name);
        }
    }

    /// <summary>PREFIX/.nhnsw/NAME; with no name, the folder's key prefix (ending in '/').</summary>
    private string SidecarKey(string? name) =>
        (_prefix.Length == 0 ? "" : _prefix + "/") + IBackupSidecars.Folder + "/" + (name is null ? "" : IBackupSidecars.CheckName(name));
}
