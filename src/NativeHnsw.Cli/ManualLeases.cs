using Microsoft.Extensions.Logging.Abstractions;
using NativeHnsw.Backup;
using NativeHnsw.Backup.Hosting;

namespace NativeHnsw.Cli;

/// <summary>
/// The leases a manual command that writes, moves or prunes backups (<c>backup</c>, <c>sync</c>, <c>prune</c>) holds
/// on the targets it changes, as a runner's job does, so it never works beside a runner's job there. Held under one id,
/// which the command's writes record (<see cref="WriterLease"/>) until disposed: a command killed midway leaves
/// staging that the next holder of the target's lease sweeps at once. Renewed every third of their life while the
/// command runs. An object store that ignores conditional writes has no lease: the command writes there under none,
/// and what it leaves goes by the prune's age rule.
/// </summary>
internal sealed class ManualLeases : IDisposable
{
    private static readonly TimeSpan s_duration = TimeSpan.FromMinutes(5);

    private readonly List<ITargetLease> _leases = [];
    private readonly string _leaseId = Guid.NewGuid().ToString("N");
    private WriterLease.Scope? _scope;
    private ITimer? _renewal;

    /// <summary>Takes the lease of every target in <paramref name="targets"/>, or none.</summary>
    /// <param name="command">The command, in the holder's name (<c>nhnsw-COMMAND-HOST-PID</c>).</param>
    /// <exception cref="BackupTargetException">Another runner or command holds a target's lease (nothing was done), or it cannot be read.</exception>
    public static ManualLeases Take(string command, IEnumerable<IBackupTarget> targets)
    {
        string holder = $"nhnsw-{command}-{Environment.MachineName}-{Environment.ProcessId}";
        var taken = new ManualLeases();
        try
        {
            foreach (var target in targets)
            {
                var inner = target is DisposableTarget d ? d.Inner : target;
                ITargetLease? lease = inner is LocalFolderTarget local
                    ? new FolderLease(local.Root, holder, TimeProvider.System, s_duration, NullLogger.Instance, taken._leaseId)
                    : ObjectLease.Open(inner, holder, TimeProvider.System, s_duration, NullLogger.Instance, taken._leaseId);
                if (lease is null)
                    continue;
                if (!lease.TryAcquire(out var current))
                    throw new BackupTargetException(null, $"{target.Description} is leased by {(current is null ? "another runner" : current.ToString())}: a runner's job or another command is at work there; nothing was done, run '{command}' again later");
                taken._leases.Add(lease);
            }
            taken._scope = WriterLease.Enter(taken._leaseId, taken._leases.Select(l => l.Target));
            taken._renewal = TimeProvider.System.CreateTimer(_ => taken.Renew(), null, s_duration / 3, s_duration / 3);
            return taken;
        }
        catch
        {
            taken.Dispose();
            throw;
        }
    }

    private void Renew()
    {
        foreach (var lease in _leases)
        {
            try
            {
                lease.Renew();
            }
            catch (IOException)
            {
                // Not renewed now: the lease stands until its expiry, and the next renewal tries again.
            }
        }
    }

    public void Dispose()
    {
        _renewal?.Dispose();
        foreach (var lease in _leases)
        {
            try
            {
                lease.Release();
            }
            catch (IOException)
            {
                // Unreleased, it expires by itself.
            }
        }
        _leases.Clear();
        _scope?.Dispose();
        _scope = null;
    }
}
