using System.Globalization;
using System.Text;

namespace NativeHnsw.Backup;

/// <summary>
/// Object storage has no staging place: an upload in progress is the files of a backup without a manifest, and a
/// deletion in progress one whose manifest is already gone. A writer under a target lease (<see cref="WriterLease"/>)
/// records the lease beside its work, as the sidecar <c>.nhnsw/writers/ID</c> (lease id, host, pid), written before its
/// first object and removed after its last; a holder of the target's lease under another id may then remove that work
/// at once (<see cref="SweepAbandoned"/>). Work under no lease writes no record and goes by the age rule of
/// <see cref="SweepLeftovers"/>.
/// </summary>
public sealed partial class S3Target
{
    private const string WritersFolder = "writers/";

    /// <summary>
    /// Deletes the uploads and deletions in progress that were begun under a lease other than
    /// <paramref name="heldLease"/>: that lease is over, since the caller holds this target's lease now. A backup whose
    /// manifest is there (its writer was killed after the commit, or its deletion before the manifest went) keeps its
    /// files; only its record goes.
    /// </summary>
    /// <param name="heldLease">The id of the lease the caller holds on this target; null (holding none) removes nothing: an object store cannot tell a dead writer from a live one.</param>
    /// <returns>The backups whose files were (or would be) deleted, and the records (<c>.nhnsw/writers/ID</c>) of those that had none left.</returns>
    public IReadOnlyList<string> SweepAbandoned(string? heldLease, bool dryRun)
    {
        if (heldLease is null)
            return [];
        var swept = new List<string>();
        foreach (string name in ListSidecars(WritersFolder))
        {
            string id = name[WritersFolder.Length..];
            if (!BackupManifest.IsValidName(id) || ReadSidecar(name) is not { } record)
                continue;
            string lease = Encoding.UTF8.GetString(record).Split('\n')[0];
            if (lease.Length == 0 || string.Equals(lease, heldLease, StringComparison.Ordinal))
                continue;
            var objects = ListObjects(id, KeyOf(id, ""));
            bool committed = objects.Any(o => o.Key == KeyOf(id, BackupManifest.FileName));
            swept.Add(committed || objects.Count == 0 ? IBackupSidecars.Folder + "/" + name : id);
            if (dryRun)
                continue;
            // The files before the record, so a sweep cut short still finds the record of what is left.
            if (!committed)
                DeleteAll(id);
            DeleteRecord(name);
        }
        return swept;
    }

    /// <summary>Records that backup <paramref name="id"/> is being written or deleted under the current flow's lease; false (nothing written) under none.</summary>
    internal bool ClaimWriter(string id)
    {
        if (WriterLease.For(Description) is not { } lease)
            return false;
        WriteSidecar(WritersFolder + id, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{lease}\n{Environment.MachineName}\n{Environment.ProcessId}")));
        return true;
    }

    /// <summary>Removes a writer's record, best effort: one left behind is removed by the next sweep under another lease.</summary>
    internal void ReleaseWriter(string id)
    {
        try
        {
            DeleteRecord(WritersFolder + id);
        }
        catch (BackupException)
        {
            // Its backup is whole or gone; the record alone misleads no one and is swept later.
        }
    }

    // S3 deletes a missing key without complaint: one call, where DeleteSidecar lists first to say whether it was there.
    private void DeleteRecord(string name)
    {
        string key = SidecarKey(name);
        Call(null, $"delete '{key}'", () => _client.DeleteObjectAsync(Options.Bucket, key));
    }
}
