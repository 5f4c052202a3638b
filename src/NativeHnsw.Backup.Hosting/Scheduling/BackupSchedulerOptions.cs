namespace NativeHnsw.Backup.Hosting;

/// <summary>How <see cref="BackupSchedulerService"/> is set up: the policy (an object or a file), where its state lives, and its lease.</summary>
public sealed class BackupSchedulerOptions
{
    /// <summary>The policy as an object; wins over <see cref="PolicyFile"/>.</summary>
    public BackupPolicy? Policy { get; set; }

    /// <summary>A policy file, loaded (and validated) when the service starts.</summary>
    public string? PolicyFile { get; set; }

    /// <summary>The state file; default: the policy's <c>stateFile</c>, else <c>POLICY.state.json</c> beside the policy file.</summary>
    public string? StateFile { get; set; }

    /// <summary>How long a target lease lasts unrenewed; renewed every third of it while a job runs. Default 5 minutes.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>This runner's name in leases and logs; default <c>nhnsw-HOST-PID-RANDOM</c>, unique per instance.</summary>
    public string? RunnerName { get; set; }

    /// <summary>The policy these options name, loaded if need be, and validated either way.</summary>
    /// <exception cref="PolicyException">The policy is bad.</exception>
    public BackupPolicy ResolvePolicy()
    {
        if (Policy is { } policy)
        {
            policy.Validate();
            return policy;
        }
        return PolicyFile is not null
            ? BackupPolicy.Load(PolicyFile)
            : throw new InvalidOperationException("Set BackupSchedulerOptions.Policy or PolicyFile.");
    }

    /// <summary>The state file these options and <paramref name="policy"/> name.</summary>
    public string ResolveStateFile(BackupPolicy policy) =>
        StateFile ?? policy.StateFile ?? (PolicyFile is not null
            ? Path.ChangeExtension(Path.GetFullPath(PolicyFile), ".state.json")
            : throw new InvalidOperationException("Set BackupSchedulerOptions.StateFile or the policy's stateFile: the scheduler must remember its runs."));
}
