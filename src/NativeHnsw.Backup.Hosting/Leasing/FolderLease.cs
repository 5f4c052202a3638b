using System.Text.Json;
using Microsoft.Extensions.Logging;
using NativeHnsw.IO;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// The lease on one local-folder target: <c>ROOT/.nhnsw-lease.json</c> names the runner that may write, move or prune
/// there, until when. Every read-decide-write of the lease happens under <c>ROOT/.nhnsw-lease.guard</c> opened with
/// <see cref="FileShare.None"/> (an exclusive advisory lock, released by the OS if the process dies), and the lease file
/// itself is replaced by rename, so two runners never both believe they hold it and a reader never sees a torn one.
/// Expiry is judged with the runner's <see cref="TimeProvider"/>; an expired lease is taken over, with a log line, and
/// so is one whose holder's process has ended on this machine (<see cref="LeaseRecord.Process"/>), without waiting.
/// Both names start with '.', so targets never list them as backups.
/// </summary>
public sealed class FolderLease : ITargetLease
{
    public const string FileName = ".nhnsw-lease.json";
    public const string GuardName = ".nhnsw-lease.guard";

    private const int GuardAttempts = 200;

    private readonly string _folder;
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;
    private readonly ILogger _logger;

    /// <param name="holder">This runner's unique id (the same for all its leases).</param>
    /// <param name="duration">How long a lease lasts without renewal.</param>
    /// <param name="leaseId">The id the work done under this lease records (<see cref="WriterLease"/>); default: a new one.</param>
    public FolderLease(string folder, string holder, TimeProvider time, TimeSpan duration, ILogger logger, string? leaseId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        _folder = Path.GetFullPath(folder);
        Holder = holder;
        LeaseId = leaseId is null ? Guid.NewGuid().ToString("N") : WriterLease.CheckId(leaseId);
        _time = time;
        _duration = duration;
        _logger = logger;
    }

    public string Holder { get; }

    public string LeaseId { get; }

    /// <summary>The folder's full path, as <see cref="LocalFolderTarget.Description"/> gives it.</summary>
    public string Target => _folder;

    /// <summary>Takes the lease if it is free, expired or already ours (then renews it).</summary>
    /// <param name="current">The lease as it stands after the call: ours on success, the other holder's on failure.</param>
    public bool TryAcquire(out LeaseRecord? current)
    {
        LeaseRecord? result = null;
        bool ok = UnderGuard(() =>
        {
            var now = _time.GetUtcNow();
            var existing = ReadFile();
            if (existing is not null && existing.StandsAgainst(Holder, now))
            {
                result = existing;
                return false;
            }
            if (existing is not null && existing.Holder != Holder)
                _logger.LogLeaseTakenOver(_folder, existing, now, Holder);
            var acquired = existing?.Holder == Holder ? existing.AcquiredUtc : now;
            result = LeaseRecord.Mine(Holder, LeaseId, acquired, now + _duration);
            WriteFile(result);
            return true;
        }, out bool busy);
        current = busy ? null : result;
        return ok;
    }

    /// <summary>Extends our lease; false (and a log line) when it is no longer ours: expired and taken over.</summary>
    public bool Renew()
    {
        bool ok = UnderGuard(() =>
        {
            var existing = ReadFile();
            // The same holder under another id is another lease of this runner's: ours ended.
            if (existing is null || existing.Holder != Holder || (existing.LeaseId is not null && existing.LeaseId != LeaseId))
            {
                _logger.LogError("Lease on {Target} was lost by {Holder}: it is now held by {Current}", _folder, Holder, existing?.ToString() ?? "nobody");
                return false;
            }
            WriteFile(existing with { ExpiresUtc = _time.GetUtcNow() + _duration });
            return true;
        }, out bool busy);
        // A guard that stays busy is another runner reading; our lease still stands until its expiry.
        return ok || busy;
    }

    /// <summary>Gives the lease up if it is ours.</summary>
    public void Release() => UnderGuard(() =>
    {
        var existing = ReadFile();
        if (existing?.Holder == Holder)
        {
            File.Delete(Path.Combine(_folder, FileName));
            DurableFile.SyncDirectory(_folder);
        }
        return true;
    }, out _);

    /// <summary>The lease as written, or null when there is none (for status displays; no guard taken).</summary>
    public static LeaseRecord? Read(string folder)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(folder, FileName)), LeaseJsonContext.Default.LeaseRecord);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private LeaseRecord? ReadFile()
    {
        try
        {
            return Read(_folder);
        }
        catch (JsonException e)
        {
            // Rename-replaced, so a torn lease means someone edited it: treat it as expired, loudly.
            _logger.LogWarning(e, "Lease file in {Target} is unreadable; treating it as expired", _folder);
            return null;
        }
    }

    private void WriteFile(LeaseRecord record)
    {
        string temp = Path.Combine(_folder, $"{FileName}.{Guid.NewGuid():N}.tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, record, LeaseJsonContext.Default.LeaseRecord);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, Path.Combine(_folder, FileName), overwrite: true);
        DurableFile.SyncDirectory(_folder);
    }

    /// <summary>Runs <paramref name="action"/> holding the guard; <paramref name="busy"/> when the guard could not be had.</summary>
    private bool UnderGuard(Func<bool> action, out bool busy)
    {
        Directory.CreateDirectory(_folder);
        string guard = Path.Combine(_folder, GuardName);
        var spin = new SpinWait();
        for (int attempt = 0; attempt < GuardAttempts; attempt++)
        {
            FileStream? handle = null;
            try
            {
                handle = new FileStream(guard, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < GuardAttempts - 1)
            {
                // Held by another runner for the few microseconds of its read-decide-write.
                spin.SpinOnce();
                continue;
            }
            catch (IOException)
            {
                break;
            }
            using (handle)
            {
                busy = false;
                return action();
            }
        }
        busy = true;
        return false;
    }
}
