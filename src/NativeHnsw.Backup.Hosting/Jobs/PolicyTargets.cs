using System.Collections.Concurrent;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// The policy's targets opened as <see cref="IBackupTarget"/>s, lazily and once per job run; disposes those that need it
/// (an S3 client). S3 keys come from the environment variables the target names, never from the policy itself.
/// </summary>
internal sealed class PolicyTargets : IDisposable
{
    private readonly BackupPolicy _policy;
    private readonly Dictionary<string, IBackupTarget> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ManifestCache>? _manifests;

    /// <param name="manifests">Manifest caches by target name, kept by the caller across runs (the executor's); null: every catalog load reads every manifest.</param>
    public PolicyTargets(BackupPolicy policy, ConcurrentDictionary<string, ManifestCache>? manifests = null)
    {
        _policy = policy;
        _manifests = manifests;
    }

    /// <summary>
    /// The catalog of the target named <paramref name="name"/>, listed now; through its manifest cache when there is
    /// one, so only the manifests of backups new since the last load are read.
    /// </summary>
    /// <exception cref="BackupException">The target cannot be listed.</exception>
    public BackupCatalog Catalog(string name)
    {
        var target = this[name];
        if (_manifests is null)
            return BackupCatalog.Load(target);
        // A policy reloaded with another place under the same name starts a new cache.
        var cache = _manifests.AddOrUpdate(name, _ => new ManifestCache(target), (_, c) => c.Target == target.Description ? c : new ManifestCache(target));
        return BackupCatalog.Load(target, cache);
    }

    public IBackupTarget this[string name]
    {
        get
        {
            if (!_open.TryGetValue(name, out var target))
                _open[name] = target = Open(_policy.Target(name));
            return target;
        }
    }

    /// <exception cref="PolicyException">An S3 target's key variables are not set.</exception>
    public static IBackupTarget Open(TargetPolicy t)
    {
        if (t.Type == TargetType.Local)
        {
            // A policy's folder is the runner's to create, as `nhnsw backup` creates its --target; reading a
            // target that was never created is what LocalFolderTarget refuses.
            Directory.CreateDirectory(t.Path!);
            return new LocalFolderTarget(t.Path!);
        }
        string keyVariable = t.AccessKeyVariable ?? "AWS_ACCESS_KEY_ID";
        string secretVariable = t.SecretKeyVariable ?? "AWS_SECRET_ACCESS_KEY";
        string key = Environment.GetEnvironmentVariable(keyVariable)
            ?? throw new PolicyException(null, $"target '{t.Name}'", $"the access key variable {keyVariable} is not set");
        string secret = Environment.GetEnvironmentVariable(secretVariable)
            ?? throw new PolicyException(null, $"target '{t.Name}'", $"the secret key variable {secretVariable} is not set");
        var options = new S3TargetOptions { Bucket = t.Bucket!, Prefix = t.Prefix ?? "", Endpoint = t.Endpoint, AccessKey = key, SecretKey = secret };
        return new S3Target(t.Region is null ? options : options with { Region = t.Region });
    }

    public void Dispose()
    {
        foreach (var target in _open.Values)
            (target as IDisposable)?.Dispose();
        _open.Clear();
    }
}
