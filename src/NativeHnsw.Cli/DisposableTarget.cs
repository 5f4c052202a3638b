using NativeHnsw.Backup;

namespace NativeHnsw.Cli;

/// <summary>A backup target the command owns, disposed (its connections closed) when the command ends; its sidecars pass through.</summary>
internal sealed class DisposableTarget(IBackupTarget inner) : IBackupTarget, IBackupSidecars, IDisposable
{
    /// <summary>The target itself (segment stores are made for its concrete kind).</summary>
    public IBackupTarget Inner => inner;

    public string Description => inner.Description;

    public IReadOnlyList<string> ListIds() => inner.ListIds();

    public IReadOnlyList<string> ListPartialIds() => inner.ListPartialIds();

    public IReadOnlyDictionary<string, long> ListFiles(string id) => inner.ListFiles(id);

    public IReadOnlyList<string> SweepLeftovers(TimeSpan minimumAge, DateTimeOffset now, bool dryRun) => inner.SweepLeftovers(minimumAge, now, dryRun);

    public IReadOnlyList<string> SweepAbandoned(string? heldLease, bool dryRun) => inner.SweepAbandoned(heldLease, dryRun);

    public BackupManifest ReadManifest(string id) => inner.ReadManifest(id);

    public Stream OpenRead(string id, string fileName) => inner.OpenRead(id, fileName);

    public IBackupWriter Begin(string id) => inner.Begin(id);

    public IChunkStore Chunks => inner.Chunks;

    public void Delete(string id) => inner.Delete(id);

    public byte[]? ReadSidecar(string name) => Sidecars.ReadSidecar(name);

    public void WriteSidecar(string name, ReadOnlySpan<byte> content) => Sidecars.WriteSidecar(name, content);

    public bool DeleteSidecar(string name) => Sidecars.DeleteSidecar(name);

    public IReadOnlyList<string> ListSidecars(string prefix) => Sidecars.ListSidecars(prefix);

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private IBackupSidecars Sidecars => inner as IBackupSidecars
        ?? throw new BackupTargetException(null, $"{inner.Description} cannot keep records beside its backups");
}
