using System.Text.RegularExpressions;

namespace NativeHnsw.Backup;

/// <summary>
/// Small named records a target keeps beside its backups, never inside one: what a scrub found (a backup's damage is
/// recorded here, never by editing its manifest), the capacity history reports read. They live under
/// <c>.nhnsw/</c> (a local folder's hidden subfolder, or the <c>PREFIX/.nhnsw/</c> keys of a bucket), a name no backup
/// id can have, so no target lists them as backups and no sweep removes them.
/// </summary>
/// <remarks>
/// A write replaces the whole record at once: a reader sees the old or the new content, never a torn one (a rename on
/// a local folder; a single PUT on S3). There is no compare-and-swap: two writers of one name, the last one wins, so
/// a name has one writer at a time (the runner holding the target's lease, or a person's command).
/// </remarks>
public partial interface IBackupSidecars
{
    /// <summary>The folder or key prefix below the target's root that holds sidecars.</summary>
    public const string Folder = ".nhnsw";

    /// <summary>The record's content, or null when there is none.</summary>
    /// <exception cref="BackupException">The target cannot be read.</exception>
    byte[]? ReadSidecar(string name);

    /// <summary>Creates or replaces a record, durably.</summary>
    /// <exception cref="BackupException">The target cannot be written.</exception>
    void WriteSidecar(string name, ReadOnlySpan<byte> content);

    /// <summary>Removes a record; false when there was none.</summary>
    /// <exception cref="BackupException">The target cannot be written.</exception>
    bool DeleteSidecar(string name);

    /// <summary>The names of the records whose names start with <paramref name="prefix"/> (e.g. <c>scrub/</c>), sorted.</summary>
    /// <exception cref="BackupException">The target cannot be listed.</exception>
    IReadOnlyList<string> ListSidecars(string prefix);

    /// <summary>Checks a record name: one or more '/'-separated parts of letters, digits, '.', '_' and '-', none starting with '.'.</summary>
    /// <exception cref="ArgumentException">The name could escape the sidecar folder or is not portable.</exception>
    public static string CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length <= 400 && SafeName().IsMatch(name)
            ? name
            : throw new ArgumentException($"'{name}' is not a valid sidecar name (parts of [A-Za-z0-9._-], '/'-separated, none starting with '.').", nameof(name));
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")]
    private static partial Regex SafeName();
}
