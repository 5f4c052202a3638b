namespace NativeHnsw.Backup;

/// <summary>
/// The target leases the current flow of work writes under: set by whoever holds targets' leases (a runner's job, a
/// manual command) around the work it does there, naming each target it holds (by its
/// <see cref="IBackupTarget.Description"/>). Every staging place such a target makes meanwhile (a local
/// <c>.staging-…</c> or <c>.deleting-…</c> folder, an S3 upload or deletion in progress) records the lease id, so a
/// later holder of that target's lease, under another id, knows that writer's lease is over (expired and taken over,
/// or released) and removes what it left at once, whatever its host or age (<see cref="IBackupTarget.SweepAbandoned"/>).
/// Work on a target the flow holds no lease of records none and is left to the prune's age rule, so a writer without
/// a lease never loses its staging to a sweep.
/// </summary>
/// <remarks>
/// The ids flow with the <see cref="ExecutionContext"/> (an <see cref="AsyncLocal{T}"/>): into tasks and thread-pool
/// work started inside the scope, not into other work of the process.
/// </remarks>
public static class WriterLease
{
    private static readonly AsyncLocal<IReadOnlyDictionary<string, string>?> s_current = new();

    /// <summary>The id of the lease the current flow holds on the target described as <paramref name="target"/>; null when it holds none there.</summary>
    public static string? For(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return s_current.Value is { } held && held.TryGetValue(target, out string? id) ? id : null;
    }

    /// <summary>Writes to <paramref name="targets"/> under <paramref name="leaseId"/> until the returned scope is disposed (then as before).</summary>
    /// <param name="leaseId">The id of the lease held on each of <paramref name="targets"/>: letters, digits, '-' and '_', at most 100.</param>
    /// <param name="targets">The <see cref="IBackupTarget.Description"/>s of the targets whose lease is held.</param>
    /// <exception cref="ArgumentException">The id is empty, too long or holds other characters.</exception>
    public static Scope Enter(string leaseId, IEnumerable<string> targets)
    {
        CheckId(leaseId);
        ArgumentNullException.ThrowIfNull(targets);
        var previous = s_current.Value;
        var held = previous is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(previous, StringComparer.Ordinal);
        foreach (string target in targets)
            held[target] = leaseId;
        s_current.Value = held;
        return new Scope(previous);
    }

    /// <summary>Checks a lease id: letters, digits, '-' and '_', at most 100.</summary>
    /// <returns><paramref name="leaseId"/>.</returns>
    /// <exception cref="ArgumentException">The id is empty, too long or holds other characters.</exception>
    public static string CheckId(string leaseId)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        if (leaseId.Length > 100 || !leaseId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"'{leaseId}' is not a valid lease id (letters, digits, '-' and '_', at most 100).", nameof(leaseId));
        return leaseId;
    }

    /// <summary>Restores the leases that were current before <see cref="Enter"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly IReadOnlyDictionary<string, string>? _previous;

        internal Scope(IReadOnlyDictionary<string, string>? previous) => _previous = previous;

        public void Dispose() => s_current.Value = _previous;
    }
}
