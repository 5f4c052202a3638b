using System.Security.Cryptography;
using Amazon.S3.Model;

namespace NativeHnsw.Backup;

/// <summary>One backup being uploaded to an <see cref="S3Target"/>: files as they come, the manifest at commit.</summary>
internal sealed class S3Writer : BackupWriter
{
    private readonly S3Target _target;

    // Whether the target recorded this upload under a lease (S3Target.ClaimWriter): the record goes once the upload is whole or gone.
    private readonly bool _claimed;

    public S3Writer(S3Target target, string id, bool claimed)
        : base(id)
    {
        _target = target;
        _claimed = claimed;
    }

    protected override IChunkStore ChunkStore => _target.Chunks;

    protected override BackupFileEntry WriteFile(string fileName, string role, Stream content, IProgress<long>? bytesWritten)
    {
        string key = _target.KeyOf(Id, fileName);
        int partSize = _target.Options.PartSize;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] part = new byte[partSize];
        int first = Fill(content, part);
        hash.AppendData(part, 0, first);
        long total = first;
        bytesWritten?.Report(total);
        if (first < partSize)
        {
            using var body = new MemoryStream(part, 0, first, writable: false);
            _target.Call(Id, $"upload '{fileName}'", () => _target.Client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _target.Options.Bucket,
                Key = key,
                InputStream = body,
                AutoCloseStream = false,
                UseChunkEncoding = false,
            }));
            return new BackupFileEntry(fileName, role, total, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }

        string uploadId = _target.Call(Id, $"start the multipart upload of '{fileName}'", () => _target.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = _target.Options.Bucket,
            Key = key,
        })).UploadId;
        try
        {
            var etags = new List<PartETag>();
            int length = first;
            for (int number = 1; length > 0; number++)
            {
                using (var body = new MemoryStream(part, 0, length, writable: false))
                {
                    int n = number;
                    var response = _target.Call(Id, $"upload part {n} of '{fileName}'", () => _target.Client.UploadPartAsync(new UploadPartRequest
                    {
                        BucketName = _target.Options.Bucket,
                        Key = key,
                        UploadId = uploadId,
                        PartNumber = n,
                        InputStream = body,
                        PartSize = body.Length,
                        UseChunkEncoding = false,
                    }));
                    etags.Add(new PartETag(n, response.ETag));
                }
                length = Fill(content, part);
                hash.AppendData(part, 0, length);
                total += length;
                bytesWritten?.Report(total);
            }
            _target.Call(Id, $"complete the multipart upload of '{fileName}'", () => _target.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _target.Options.Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = etags,
            }));
        }
        catch
        {
            try
            {
                _target.Call(Id, $"abort the multipart upload of '{fileName}'", () => _target.Client.AbortMultipartUploadAsync(_target.Options.Bucket, key, uploadId));
            }
            catch (BackupException)
            {
                // The first failure is the one to report; an orphaned upload is invisible (no manifest) and expires by bucket policy.
            }
            throw;
        }
        return new BackupFileEntry(fileName, role, total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    protected override void CommitManifest(BackupManifest manifest)
    {
        using var body = new MemoryStream(manifest.ToUtf8Json(), writable: false);
        _target.Call(Id, "upload its manifest", () => _target.Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _target.Options.Bucket,
            Key = _target.KeyOf(Id, BackupManifest.FileName),
            InputStream = body,
            AutoCloseStream = false,
            UseChunkEncoding = false,
        }));
        if (_claimed)
            _target.ReleaseWriter(Id);
    }

    protected override void Abandon()
    {
        try
        {
            if (AnyWritten)
                _target.DeleteAll(Id);
        }
        catch (BackupException)
        {
            // Without a manifest the files never list; what is left is garbage, not a backup. The record stays, so a
            // sweep under another lease removes them.
            return;
        }
        if (_claimed)
            _target.ReleaseWriter(Id);
    }

    private static int Fill(Stream content, byte[] buffer)
    {
        int filled = 0;
        int n;
        while (filled < buffer.Length && (n = content.Read(buffer, filled, buffer.Length - filled)) > 0)
            filled += n;
        return filled;
    }
}
