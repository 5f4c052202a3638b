using System.Text;
using System.Text.Json;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Everything the scheduler does, as one object and one JSON file (schema in docs/OPERATIONS.md): the sources, the
/// targets and their tiers, the jobs and their cron schedules, tier rules, offsite replication, retention and drills.
/// <see cref="Parse"/> and <see cref="Load"/> refuse a bad policy with a <see cref="PolicyException"/> naming the
/// JSON path of the bad field; a policy built in code is checked the same way by <see cref="Validate"/>.
/// </summary>
public sealed record BackupPolicy
{
    /// <summary>The schema version this library reads and writes.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The default time zone of job schedules (IANA or Windows id). Default UTC.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>The scheduler's own state file (last run of each job); null: the host chooses (the CLI: beside the policy).</summary>
    public string? StateFile { get; init; }

    public IReadOnlyList<SourcePolicy> Sources { get; init; } = [];

    public IReadOnlyList<TargetPolicy> Targets { get; init; } = [];

    public IReadOnlyList<JobPolicy> Jobs { get; init; } = [];

    /// <summary>Which tier holds backups of which age; empty: backups stay where they were written.</summary>
    public IReadOnlyList<TierRule> Tiers { get; init; } = [];

    public OffsiteSettings? Offsite { get; init; }

    public RetentionSettings Retention { get; init; } = new();

    public DrillSettings Drill { get; init; } = new();

    /// <summary>Reads a policy from JSON (comments and trailing commas allowed) and validates it.</summary>
    /// <param name="file">The file it came from, for messages.</param>
    /// <exception cref="PolicyException">The JSON or the policy is bad; the message names the path.</exception>
    public static BackupPolicy Parse(string json, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        BackupPolicy? policy;
        try
        {
            policy = JsonSerializer.Deserialize(json, PolicyJsonContext.Default.BackupPolicy);
        }
        catch (JsonException e)
        {
            throw new PolicyException(file, e.Path ?? "$", Describe(e), e);
        }
        if (policy is null)
            throw new PolicyException(file, "$", "the document is null; expected a policy object");
        policy = policy.WithDefaults();
        PolicyValidator.Validate(policy, file);
        return policy;
    }

    /// <summary>
    /// Reads and validates the policy file at <paramref name="path"/>; relative source, target, state and scratch
    /// paths are resolved against the file's folder, so a policy means the same wherever it is run from.
    /// </summary>
    /// <exception cref="PolicyException">The file is missing, unreadable or bad.</exception>
    public static BackupPolicy Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        string json;
        try
        {
            json = File.ReadAllText(full, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyException(full, "$", $"cannot read the policy file: {e.Message}", e);
        }
        return Parse(json, full).ResolvePaths(System.IO.Path.GetDirectoryName(full)!);
    }

    /// <summary>Indented JSON that <see cref="Parse"/> reads back as an equal policy.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, PolicyJsonContext.Default.BackupPolicy);

    /// <summary>Checks every rule <see cref="Parse"/> checks, for a policy built in code.</summary>
    /// <exception cref="PolicyException">The first bad field.</exception>
    public void Validate() => PolicyValidator.Validate(this, null);

    /// <summary>The source named <paramref name="name"/>.</summary>
    public SourcePolicy Source(string name) => Sources.FirstOrDefault(s => s.Name == name)
        ?? throw new KeyNotFoundException($"The policy has no source '{name}'.");

    /// <summary>The target named <paramref name="name"/>.</summary>
    public TargetPolicy Target(string name) => Targets.FirstOrDefault(t => t.Name == name)
        ?? throw new KeyNotFoundException($"The policy has no target '{name}'.");

    /// <summary>The sources a job covers: its list, or every source.</summary>
    public IReadOnlyList<SourcePolicy> SourcesOf(JobPolicy job) =>
        job.Sources.Count == 0 ? Sources : [.. job.Sources.Select(Source)];

    /// <summary>The tier a backup of age <paramref name="age"/> belongs in, or null when there are no tier rules.</summary>
    public string? TierFor(TimeSpan age)
    {
        double days = Math.Max(0, age.TotalDays);
        foreach (var rule in Tiers)
        {
            if (days >= rule.FromDays && (rule.ToDays is not { } to || days < to))
                return rule.Tier;
        }
        return null;
    }

    public bool Equals(BackupPolicy? other) =>
        other is not null && SchemaVersion == other.SchemaVersion && TimeZone == other.TimeZone && StateFile == other.StateFile
        && Sources.SequenceEqual(other.Sources) && Targets.SequenceEqual(other.Targets) && Jobs.SequenceEqual(other.Jobs)
        && Tiers.SequenceEqual(other.Tiers) && Equals(Offsite, other.Offsite) && Retention == other.Retention && Drill == other.Drill;

    public override int GetHashCode() => HashCode.Combine(SchemaVersion, TimeZone, StateFile, Sources.Count, Targets.Count, Jobs.Count, Tiers.Count, Retention);

    /// <summary>
    /// A key left out (or null) takes its documented default. The source generator sets an absent init-only property
    /// to null rather than keeping its initializer, so the defaults are applied here, in one place.
    /// </summary>
    private BackupPolicy WithDefaults() => this with
    {
        TimeZone = TimeZone ?? "UTC",
        Sources = Sources ?? [],
        Targets = Targets ?? [],
        Jobs = Jobs is null ? [] : [.. Jobs.Select(j => j is null ? j! : j with { Sources = j.Sources ?? [] })],
        Tiers = Tiers ?? [],
        Retention = Retention ?? new RetentionSettings(),
        Drill = Drill ?? new DrillSettings(),
    };

    private BackupPolicy ResolvePaths(string folder)
    {
        string Resolve(string p) => System.IO.Path.GetFullPath(p, folder);
        return this with
        {
            StateFile = StateFile is null ? null : Resolve(StateFile),
            Sources = [.. Sources.Select(s => s with { Path = Resolve(s.Path) })],
            Targets = [.. Targets.Select(t => t.Path is null ? t : t with { Path = Resolve(t.Path) })],
            Drill = Drill.ScratchFolder is null ? Drill : Drill with { ScratchFolder = Resolve(Drill.ScratchFolder) },
        };
    }

    private static string Describe(JsonException e)
    {
        // The serializer's messages name .NET types; say it in the policy's own terms where we can.
        string message = e.Message;
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
            message = message[..cut];
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            return "unknown key (see docs/OPERATIONS.md for the schema)";
        return message;
    }
}
