namespace NativeHnsw.Backup.Hosting;

/// <summary>The lease on one target (<see cref="FolderLease"/> on a local folder, <see cref="ObjectLease"/> on object storage).</summary>
public interface ITargetLease
{
    /// <summary>This runner's unique id (the same for all its leases).</summary>
    string Holder { get; }

    /// <summary>The id this lease is held under, recorded by the work done meanwhile (<see cref="WriterLease"/>).</summary>
    string LeaseId { get; }

    /// <summary>The leased target's <see cref="IBackupTarget.Description"/>: what <see cref="WriterLease.Enter"/> names it by.</summary>
    string Target { get; }

    /// <summary>Takes the lease if it is free, expired or already ours (then renews it).</summary>
    /// <param name="current">The lease as it stands after the call: ours on success, the other holder's on failure (null: it is being changed).</param>
    bool TryAcquire(out LeaseRecord? current);

    /// <summary>Extends our lease; false (and a log line) when it is no longer ours.</summary>
    bool Renew();

    /// <summary>Gives the lease up if it is ours.</summary>
    void Release();
}
