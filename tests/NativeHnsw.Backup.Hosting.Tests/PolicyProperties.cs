using System.Text.Json.Nodes;
using FsCheck.Xunit;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// Laws of the policy file over seeded random policies: a valid policy survives object → JSON → object unchanged,
/// and each class of mistake, planted at a random place, is refused naming exactly the JSON path where it was planted.
/// </summary>
public sealed class PolicyProperties
{
    [Property(MaxTest = 300)]
    public bool ValidPolicy_RoundTripsThroughJson(int seed)
    {
        var policy = PolicyGenerator.Valid(seed);
        policy.Validate();
        var back = BackupPolicy.Parse(policy.ToJson());
        return back == policy && back.ToJson() == policy.ToJson();
    }

    [Property(MaxTest = 200)]
    public bool UnknownKey_IsRefusedAtItsPath(int seed)
    {
        var policy = PolicyGenerator.Valid(seed);
        var random = new Random(seed);
        var root = JsonNode.Parse(policy.ToJson())!.AsObject();
        var (where, path) = random.Next(4) switch
        {
            0 => (root, "$"),
            1 => (root["sources"]![random.Next(policy.Sources.Count)]!.AsObject(), null),
            2 => (root["targets"]![random.Next(policy.Targets.Count)]!.AsObject(), null),
            _ => (root["retention"]!.AsObject(), "$.retention"),
        };
        path ??= where.GetPath();
        where["crn"] = "0 2 * * *";
        return ExpectRefused(root.ToJsonString(), path + ".crn");
    }

    [Property(MaxTest = 200)]
    public bool BadCron_IsRefusedAtItsPath(int seed)
    {
        var (policy, i) = WithJob(seed);
        string[] bad = ["61 * * * *", "0 2 * *", "* * * * * * *", "0 25 * * *", "every day", "0 2 30 2 * 1 1"];
        var jobs = policy.Jobs.ToList();
        jobs[i] = jobs[i] with { Cron = bad[new Random(seed).Next(bad.Length)] };
        return ExpectRefused(policy with { Jobs = jobs }, $"$.jobs[{i}].cron");
    }

    [Property(MaxTest = 200)]
    public bool BadTimeZone_IsRefusedAtItsPath(int seed)
    {
        var (policy, i) = WithJob(seed);
        var jobs = policy.Jobs.ToList();
        jobs[i] = jobs[i] with { TimeZone = "Mars/Olympus_Mons" };
        return ExpectRefused(policy with { Jobs = jobs }, $"$.jobs[{i}].timeZone");
    }

    [Property(MaxTest = 200)]
    public bool TierGapOrOverlap_IsRefusedAtItsPath(int seed)
    {
        var random = new Random(seed);
        var policy = PolicyGenerator.Valid(seed);
        // Three tiers in three targets, so there is an inner boundary to break.
        policy = policy with
        {
            Targets = [.. policy.Targets, new TargetPolicy { Name = "tx", Type = TargetType.Local, Path = "/x", Tier = "x1" }, new TargetPolicy { Name = "ty", Type = TargetType.Local, Path = "/y", Tier = "x2" }],
            Tiers = [new TierRule { Tier = "x1", FromDays = 0, ToDays = 7 }, new TierRule { Tier = "x2", FromDays = 7, ToDays = 30 }, new TierRule { Tier = "x1", FromDays = 30 }],
        };
        policy.Validate();
        int k = random.Next(1, 3);
        var tiers = policy.Tiers.ToList();
        double shift = random.Next(2) == 0 ? random.Next(1, 5) : -random.Next(1, 5) / 2.0;
        tiers[k] = tiers[k] with { FromDays = tiers[k].FromDays + shift };
        return ExpectRefused(policy with { Tiers = tiers }, $"$.tiers[{k}].fromDays");
    }

    [Property(MaxTest = 200)]
    public bool NameOfMissingTarget_IsRefusedAtItsPath(int seed)
    {
        var random = new Random(seed);
        var (policy, i) = WithJob(seed, JobType.Snapshot);
        if (random.Next(2) == 0)
        {
            var jobs = policy.Jobs.ToList();
            jobs[i] = jobs[i] with { Target = "nowhere" };
            return ExpectRefused(policy with { Jobs = jobs }, $"$.jobs[{i}].target");
        }
        int s = random.Next(policy.Sources.Count);
        var sources = policy.Sources.ToList();
        sources[s] = sources[s] with { Target = "nowhere" };
        return ExpectRefused(policy with { Sources = sources }, $"$.sources[{s}].target");
    }

    [Property(MaxTest = 100)]
    public bool RetentionThatKeepsNothing_IsRefused(int seed) =>
        ExpectRefused(PolicyGenerator.Valid(seed) with { Retention = new RetentionSettings(0, 0, 0) }, "$.retention");

    /// <summary>The seed's policy with at least one job of <paramref name="type"/> (or any type), and that job's index.</summary>
    private static (BackupPolicy Policy, int Index) WithJob(int seed, JobType? type = null)
    {
        var policy = PolicyGenerator.Valid(seed);
        var random = new Random(~seed);
        var jobs = policy.Jobs.ToList();
        int i = random.Next(jobs.Count + 1);
        jobs.Insert(i, new JobPolicy { Name = "planted", Type = type ?? JobType.Prune, Cron = "0 2 * * *" });
        return (policy with { Jobs = jobs }, i);
    }

    private static bool ExpectRefused(BackupPolicy policy, string path) => ExpectRefused(policy.ToJson(), path);

    private static bool ExpectRefused(string json, string path)
    {
        var e = Assert.Throws<PolicyException>(() => BackupPolicy.Parse(json, "p.json"));
        Assert.Equal(path, e.JsonPath);
        Assert.StartsWith($"p.json: {path}: ", e.Message, StringComparison.Ordinal);
        return true;
    }
}
