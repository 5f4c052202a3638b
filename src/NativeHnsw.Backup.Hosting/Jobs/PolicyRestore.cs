namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// A restore of one policy source across every target of the policy, whatever tier holds its backups: the newest backup
/// the selector allows with a good copy somewhere, taken from the nearest tier that holds one (hotter tiers first by the
/// tier rules' order, then policy order), copies a scrub marked or with a broken chain passed over and named. The same
/// choice the drill job makes.
/// </summary>
public static class PolicyRestore
{
    /// <exception cref="PolicyException">The policy has no source of that name (<c>$.sources</c>), or a target's S3 key variables are not set.</exception>
    /// <exception cref="BackupNotFoundException">No backup of the source matches the selector in any target.</exception>
    /// <exception cref="BackupIntegrityException">Every matching backup is marked or has a broken chain in every target holding it (the reasons listed).</exception>
    public static HealthyChoice Choose(BackupPolicy policy, string source, BackupSelector selector)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentNullException.ThrowIfNull(selector);
        var named = policy.Sources.FirstOrDefault(s => s.Name == source)
            ?? throw new PolicyException(null, "$.sources", $"the policy has no source '{source}' (it has {string.Join(", ", policy.Sources.Select(s => $"'{s.Name}'"))})");
        using var targets = new PolicyTargets(policy);
        return BackupJobExecutor.ChooseHealthy(policy, targets, named, selector);
    }

    /// <summary>Opens the policy's target <paramref name="name"/> (a local folder, or S3 with the keys from the environment variables it names); dispose it when it is <see cref="IDisposable"/>.</summary>
    /// <exception cref="PolicyException">Its S3 key variables are not set.</exception>
    /// <exception cref="KeyNotFoundException">The policy has no target of that name.</exception>
    public static IBackupTarget OpenTarget(BackupPolicy policy, string name)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return PolicyTargets.Open(policy.Target(name));
    }
}
