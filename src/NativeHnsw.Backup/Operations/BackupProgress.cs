namespace NativeHnsw.Backup;

/// <summary>Progress of a long step, for a progress bar: <paramref name="Done"/> of <paramref name="Total"/> <paramref name="Unit"/>.</summary>
/// <param name="Unit"><see cref="Bytes"/> for file copies, or what is counted (<c>incrementals</c> while a chain is applied).</param>
public readonly record struct BackupProgress(string Step, long Done, long Total, string Unit = BackupProgress.Bytes)
{
    /// <summary>The unit of byte counts.</summary>
    public const string Bytes = "bytes";
}
