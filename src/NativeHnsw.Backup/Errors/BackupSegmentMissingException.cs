namespace NativeHnsw.Backup;

/// <summary>
/// A point-in-time restore needs shipped changes the target does not have: a segment is missing (deleted, never
/// uploaded, or lost with a target), so the commits <see cref="FirstSequence"/> to <see cref="LastSequence"/> cannot
/// be applied. Restore to a moment before the gap, or from a snapshot taken after it.
/// </summary>
public sealed class BackupSegmentMissingException : BackupException
{
    public BackupSegmentMissingException(long firstSequence, long lastSequence, string problem, Exception? innerException = null)
        : base(null, problem, innerException)
    {
        FirstSequence = firstSequence;
        LastSequence = lastSequence;
    }

    /// <summary>The first commit of the gap.</summary>
    public long FirstSequence { get; }

    /// <summary>The last commit of the gap.</summary>
    public long LastSequence { get; }
}
