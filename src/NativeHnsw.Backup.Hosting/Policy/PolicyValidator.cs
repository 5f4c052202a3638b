using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Every rule a policy must meet, each failure naming the JSON path of the field at fault. Checks run in document
/// order, so the first mistake in the file is the one reported.
/// </summary>
internal static partial class PolicyValidator
{
    public static void Validate(BackupPolicy policy, string? file)
    {
        void Fail(string path, string problem) => throw new PolicyException(file, path, problem);

        if (policy.SchemaVersion != BackupPolicy.CurrentSchemaVersion)
        {
            Fail("$.schemaVersion", policy.SchemaVersion > BackupPolicy.CurrentSchemaVersion
                ? $"schema version {policy.SchemaVersion} is newer than this tool reads ({BackupPolicy.CurrentSchemaVersion}); upgrade nhnsw"
                : $"schema version {policy.SchemaVersion} is not one this tool reads (expected {BackupPolicy.CurrentSchemaVersion})");
        }
        if (policy.TimeZone is null || !TryTimeZone(policy.TimeZone, out _))
            Fail("$.timeZone", $"'{policy.TimeZone}' is not a known time zone (use an IANA id such as Europe/Berlin, or UTC)");
        if (policy.StateFile is { Length: 0 })
            Fail("$.stateFile", "must not be empty (leave it out to let the host choose)");

        var targets = new HashSet<string>(StringComparer.Ordinal);
        var tiers = new HashSet<string>(StringComparer.Ordinal);
        if (policy.Targets is null || policy.Targets.Count == 0)
            Fail("$.targets", "at least one target is required");
        for (int i = 0; i < policy.Targets!.Count; i++)
        {
            string at = $"$.targets[{i}]";
            var t = policy.Targets[i];
            if (t is null)
                Fail(at, "must be an object");
            CheckName(t!.Name, at + ".name", targets, "target", Fail);
            if (string.IsNullOrWhiteSpace(t.Tier))
                Fail(at + ".tier", "required: the tier this target is (hot, warm, cold or any name)");
            tiers.Add(t.Tier);
            if (t.Type == TargetType.Local && string.IsNullOrWhiteSpace(t.Path))
                Fail(at + ".path", "required for a local target: the folder that holds the backups");
            if (t.Type == TargetType.S3 && string.IsNullOrWhiteSpace(t.Bucket))
                Fail(at + ".bucket", "required for an s3 target");
            if (t.Type == TargetType.Local && (t.Bucket ?? t.Prefix ?? (object?)t.Endpoint) is not null)
                Fail(at + (t.Bucket is not null ? ".bucket" : t.Prefix is not null ? ".prefix" : ".endpoint"), "only an s3 target has a bucket, prefix or endpoint");
            if (t.Type == TargetType.S3 && t.Path is not null)
                Fail(at + ".path", "an s3 target has a bucket and prefix, not a path");
            if (t.QuotaGb is { } q && !(q > 0 && double.IsFinite(q)))
                Fail(at + ".quotaGb", $"must be a positive number of GB (got {q.ToString(CultureInfo.InvariantCulture)})");
            if (t.PricePerGbMonth is { } p && !(p >= 0 && double.IsFinite(p)))
                Fail(at + ".pricePerGbMonth", $"must be 0 or more (got {p.ToString(CultureInfo.InvariantCulture)})");
        }

        var sources = new HashSet<string>(StringComparer.Ordinal);
        if (policy.Sources is null || policy.Sources.Count == 0)
            Fail("$.sources", "at least one source is required");
        for (int i = 0; i < policy.Sources!.Count; i++)
        {
            string at = $"$.sources[{i}]";
            var s = policy.Sources[i];
            if (s is null)
                Fail(at, "must be an object");
            CheckName(s!.Name, at + ".name", sources, "source", Fail);
            if (string.IsNullOrWhiteSpace(s.Path))
                Fail(at + ".path", s.Type == SourceType.Index ? "required: the index file" : "required: the store folder");
            if (string.IsNullOrEmpty(s.Target) || !targets.Contains(s.Target))
                Fail(at + ".target", Unknown("target", s.Target, targets));
            if (s.Rto is { } rto && rto <= TimeSpan.Zero)
                Fail(at + ".rto", $"must be positive (got {rto})");
            if (s.Rpo is { } rpo && rpo <= TimeSpan.Zero)
                Fail(at + ".rpo", $"must be positive (got {rpo})");
        }

        var jobs = new HashSet<string>(StringComparer.Ordinal);
        if (policy.Jobs is null)
            Fail("$.jobs", "must be a list (empty for none)");
        for (int i = 0; i < policy.Jobs!.Count; i++)
        {
            string at = $"$.jobs[{i}]";
            var j = policy.Jobs[i];
            if (j is null)
                Fail(at, "must be an object");
            CheckName(j!.Name, at + ".name", jobs, "job", Fail);
            if (string.IsNullOrWhiteSpace(j.Cron))
                Fail(at + ".cron", "required: a cron expression such as '0 2 * * *'");
            try
            {
                _ = ParseCron(j.Cron);
            }
            catch (CronFormatException e)
            {
                Fail(at + ".cron", $"'{j.Cron}' is not a cron expression: {e.Message}");
            }
            if (j.TimeZone is not null && !TryTimeZone(j.TimeZone, out _))
                Fail(at + ".timeZone", $"'{j.TimeZone}' is not a known time zone (use an IANA id such as Europe/Berlin, or UTC)");
            if (j.Sources is null)
                Fail(at + ".sources", "must be a list of source names (leave it out for all)");
            for (int k = 0; k < j.Sources!.Count; k++)
            {
                if (j.Sources[k] is not { } name || !sources.Contains(name))
                    Fail($"{at}.sources[{k}]", Unknown("source", j.Sources[k], sources));
            }
            if (j.Target is not null && !targets.Contains(j.Target))
                Fail(at + ".target", Unknown("target", j.Target, targets));
            if (j.Target is not null && j.Type is not (JobType.Snapshot or JobType.Incremental or JobType.Offsite or JobType.Replicate))
                Fail(at + ".target", $"a {j.Type.ToString().ToLowerInvariant()} job has no target of its own (only snapshot, incremental and offsite jobs do)");
            if (j.Type == JobType.Offsite && j.Target is null && policy.Offsite is null)
                Fail(at + ".target", "an offsite job needs a target: set it here or in $.offsite.target");
            if (j.Type == JobType.Tiers && (policy.Tiers is null || policy.Tiers.Count == 0))
                Fail(at + ".type", "a tiers job needs tier rules in $.tiers");
        }

        if (policy.Tiers is null)
            Fail("$.tiers", "must be a list (empty for none)");
        CheckTiers(policy.Tiers!, tiers, Fail);

        if (policy.Offsite is { } offsite && (string.IsNullOrEmpty(offsite.Target) || !targets.Contains(offsite.Target)))
            Fail("$.offsite.target", Unknown("target", offsite.Target, targets));

        if (policy.Retention is not { } r)
        {
            Fail("$.retention", "must be an object");
            return;
        }
        if (r.Daily < 0)
            Fail("$.retention.daily", $"must be 0 or more (got {r.Daily})");
        if (r.Weekly < 0)
            Fail("$.retention.weekly", $"must be 0 or more (got {r.Weekly})");
        if (r.Monthly < 0)
            Fail("$.retention.monthly", $"must be 0 or more (got {r.Monthly})");
        if ((long)r.Daily + r.Weekly + r.Monthly == 0)
            Fail("$.retention", "daily, weekly and monthly are all 0: that would delete every backup, the newest included");
        if (policy.Drill is null)
            Fail("$.drill", "must be an object");
        if (policy.Drill!.ScratchFolder is { Length: 0 })
            Fail("$.drill.scratchFolder", "must not be empty (leave it out for the system temp folder)");
    }

    /// <summary>Tier rules must tile [0, ∞) exactly: the first starts at 0, each starts where the previous ends, only the last is open.</summary>
    private static void CheckTiers(IReadOnlyList<TierRule> rules, HashSet<string> targetTiers, Action<string, string> fail)
    {
        double expectedFrom = 0;
        for (int i = 0; i < rules.Count; i++)
        {
            string at = $"$.tiers[{i}]";
            var rule = rules[i];
            if (rule is null)
            {
                fail(at, "must be an object");
                return;
            }
            if (string.IsNullOrWhiteSpace(rule.Tier) || !targetTiers.Contains(rule.Tier))
                fail(at + ".tier", $"no target is of tier '{rule.Tier}' (targets' tiers: {string.Join(", ", targetTiers.Order(StringComparer.Ordinal))})");
            if (!double.IsFinite(rule.FromDays) || rule.FromDays != expectedFrom)
            {
                string F(double d) => d.ToString(CultureInfo.InvariantCulture);
                fail(at + ".fromDays", rule.FromDays > expectedFrom
                    ? $"a gap: no tier covers ages {F(expectedFrom)} to {F(rule.FromDays)} days (rules go in age order, each starting where the last ends)"
                    : $"an overlap: ages from {F(rule.FromDays)} days are already covered up to {F(expectedFrom)} days (rules go in age order, each starting where the last ends)");
            }
            if (rule.ToDays is { } to)
            {
                if (!(to > rule.FromDays) || !double.IsFinite(to))
                    fail(at + ".toDays", $"must be more than fromDays ({rule.FromDays.ToString(CultureInfo.InvariantCulture)})");
                if (i == rules.Count - 1)
                    fail(at + ".toDays", $"the last rule must be open-ended (no toDays), else backups older than {to.ToString(CultureInfo.InvariantCulture)} days belong nowhere");
                expectedFrom = to;
            }
            else if (i != rules.Count - 1)
            {
                fail(at + ".toDays", "only the last rule may be open-ended");
            }
        }
    }

    private static void CheckName(string? name, string path, HashSet<string> seen, string what, Action<string, string> fail)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
            fail(path, $"'{name}' is not a valid {what} name (letters, digits, '-', '_', '.'; at most 64)");
        if (!seen.Add(name!))
            fail(path, $"a second {what} named '{name}'");
    }

    private static string Unknown(string what, string? name, HashSet<string> known) =>
        $"there is no {what} named '{name}' (known: {(known.Count == 0 ? "none" : string.Join(", ", known.Order(StringComparer.Ordinal)))})";

    /// <summary>Five fields, or six with seconds first (Cronos' two formats).</summary>
    public static CronExpression ParseCron(string cron)
    {
        string trimmed = cron.Trim();
        int fields = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CronExpression.Parse(trimmed, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
    }

    public static bool TryTimeZone(string id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id))
            return false;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
