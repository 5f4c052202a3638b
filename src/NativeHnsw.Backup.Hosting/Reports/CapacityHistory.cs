using System.Text.Json;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// The capacity history a target keeps of itself (the sidecar <c>.nhnsw/capacity/history.json</c>): one
/// <see cref="CapacitySample"/> per UTC day, the day's last, for the newest <see cref="MaxDays"/> days. Jobs that write
/// a target record a sample after they finish, so growth is measured from what the target really held, pruning and
/// tier moves included, rather than guessed from the backups still there.
/// </summary>
public static class CapacityHistory
{
    public const int MaxDays = 400;

    private const string Name = "capacity/history.json";

    /// <summary>The samples, oldest first; none when the target keeps no sidecars or has no history yet.</summary>
    /// <exception cref="BackupException">The target cannot be read, or the history is unreadable (named).</exception>
    public static IReadOnlyList<CapacitySample> Read(IBackupTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target is not IBackupSidecars sidecars || sidecars.ReadSidecar(Name) is not { } bytes)
            return [];
        try
        {
            return JsonSerializer.Deserialize(bytes, IntegrityJsonContext.Default.CapacitySampleArray) ?? [];
        }
        catch (JsonException e)
        {
            throw new BackupIntegrityException(null, $"the capacity history '{IBackupSidecars.Folder}/{Name}' in {target.Description} is unreadable ({e.Message}); delete it to start a new one", e);
        }
    }

    /// <summary>Measures the target now and records it as today's sample (replacing an earlier one of the same UTC day).</summary>
    /// <returns>The sample recorded.</returns>
    /// <exception cref="BackupException">The target cannot be listed or written.</exception>
    public static CapacitySample Record(IBackupTarget target, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Record(target, BackupCatalog.Load(target), now);
    }

    /// <summary>As <see cref="Record(IBackupTarget, DateTimeOffset)"/>, measuring with <paramref name="catalog"/>, the target's catalog as just loaded.</summary>
    internal static CapacitySample Record(IBackupTarget target, BackupCatalog catalog, DateTimeOffset now)
    {
        var sample = Measure(target, catalog, now);
        var sidecars = DamageMarks.Sidecars(target);
        var kept = Read(target).Where(s => s.Utc.UtcDateTime.Date != now.UtcDateTime.Date && s.Utc < now).Append(sample)
            .OrderBy(s => s.Utc).TakeLast(MaxDays).ToArray();
        sidecars.WriteSidecar(Name, JsonSerializer.SerializeToUtf8Bytes(kept, IntegrityJsonContext.Default.CapacitySampleArray));
        return sample;
    }

    /// <summary>What the target holds now.</summary>
    public static CapacitySample Measure(IBackupTarget target, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Measure(target, BackupCatalog.Load(target), now);
    }

    private static CapacitySample Measure(IBackupTarget target, BackupCatalog catalog, DateTimeOffset now) =>
        new(now, PolicyCatalog.StoredBytes(target, catalog.Backups), catalog.Backups.Count);
}
