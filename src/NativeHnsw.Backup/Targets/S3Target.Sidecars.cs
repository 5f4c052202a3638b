using Amazon.S3.Model;

namespace NativeHnsw.Backup;

public sealed partial class S3Target : IBackupSidecars
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
        Call(null, $"write '{key}'", () => _client.PutObjectAsync(new PutObjectRequest { BucketName = Options.Bucket, Key = key, InputStream = body, AutoCloseStream = true }));
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

    /// <summary>PREFIX/.nhnsw/NAME; with no name, the folder's key prefix (ending in '/').</summary>
    private string SidecarKey(string? name) =>
        (_prefix.Length == 0 ? "" : _prefix + "/") + IBackupSidecars.Folder + "/" + (name is null ? "" : IBackupSidecars.CheckName(name));
}
