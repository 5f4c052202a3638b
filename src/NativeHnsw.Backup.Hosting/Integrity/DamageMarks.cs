using System.Text.Json;

namespace NativeHnsw.Backup.Hosting;

/// <summary>Reads and writes the scrub's <see cref="DamageMark"/>s of one target, through <see cref="IBackupSidecars"/>.</summary>
public static class DamageMarks
{
    private const string Prefix = "scrub/";

    /// <summary>The marks in <paramref name="target"/>, by backup id; none when the target keeps no sidecars.</summary>
    /// <exception cref="BackupException">The target cannot be listed or read, or a mark is unreadable (named).</exception>
    public static IReadOnlyDictionary<string, DamageMark> Read(IBackupTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var marks = new Dictionary<string, DamageMark>(StringComparer.Ordinal);
        if (target is not IBackupSidecars sidecars)
            return marks;
        foreach (string name in sidecars.ListSidecars(Prefix))
        {
            if (sidecars.ReadSidecar(name) is not { } bytes)
                continue;
            DamageMark? mark;
            try
            {
                mark = JsonSerializer.Deserialize(bytes, IntegrityJsonContext.Default.DamageMark);
            }
            catch (JsonException e)
            {
                throw new BackupIntegrityException(null, $"the scrub record '{IBackupSidecars.Folder}/{name}' in {target.Description} is unreadable ({e.Message}); delete it and scrub again", e);
            }
            if (mark is not null && BackupManifest.IsValidName(mark.BackupId))
                marks[mark.BackupId] = mark;
        }
        return marks;
    }

    /// <summary>Records <paramref name="mark"/> beside its backup.</summary>
    /// <exception cref="BackupTargetException">The target keeps no sidecars, or cannot be written.</exception>
    public static void Set(IBackupTarget target, DamageMark mark)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(mark);
        Sidecars(target).WriteSidecar(NameOf(mark.BackupId), JsonSerializer.SerializeToUtf8Bytes(mark, IntegrityJsonContext.Default.DamageMark));
    }

    /// <summary>Removes the mark of <paramref name="backupId"/>; false when there was none.</summary>
    public static bool Clear(IBackupTarget target, string backupId)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target is IBackupSidecars sidecars && sidecars.DeleteSidecar(NameOf(backupId));
    }

    /// <summary>Whether <paramref name="backupId"/> carries a mark in <paramref name="target"/>: one record read, not a listing.</summary>
    /// <exception cref="BackupException">The target cannot be read.</exception>
    internal static bool IsMarked(IBackupTarget target, string backupId) =>
        target is IBackupSidecars sidecars && sidecars.ReadSidecar(NameOf(backupId)) is not null;

    internal static IBackupSidecars Sidecars(IBackupTarget target) => target as IBackupSidecars
        ?? throw new BackupTargetException(null, $"{target.Description} cannot keep records beside its backups (it does not implement IBackupSidecars)");

    private static string NameOf(string backupId) => BackupManifest.IsValidName(backupId)
        ? Prefix + backupId + ".json"
        : throw new ArgumentException($"'{backupId}' is not a valid backup id.", nameof(backupId));
}
