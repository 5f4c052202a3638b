namespace NativeHnsw.Backup.Hosting.Tests;

public sealed class PolicyTests
{
    [Fact]
    public void Example_LoadsAndResolvesPathsAgainstItsFolder()
    {
        using var dir = new TempDirectory();
        string file = dir.File("policy.json");
        File.WriteAllText(file, PolicyExample.Json);
        var policy = BackupPolicy.Load(file);
        Assert.Equal(2, policy.Sources.Count);
        Assert.Equal(9, policy.Jobs.Count);
        Assert.Equal(Enum.GetValues<JobType>().ToHashSet(), policy.Jobs.Select(j => j.Type).ToHashSet());
        Assert.Equal(dir.Combine("data", "docs.hnsw"), policy.Source("docs-index").Path);
        Assert.Equal(dir.Combine("state", "scheduler-state.json"), policy.StateFile);
        Assert.Equal("warm", policy.TierFor(TimeSpan.FromDays(7)));
        Assert.Equal("hot", policy.TierFor(TimeSpan.FromDays(6.9)));
        Assert.Equal("cold", policy.TierFor(TimeSpan.FromDays(400)));
    }

    [Fact]
    public void LeftOutKeys_TakeTheirDocumentedDefaults()
    {
        string json = """
            { "schemaVersion": 1,
              "sources": [ { "name": "a", "type": "store", "path": "/a", "target": "t" } ],
              "targets": [ { "name": "t", "type": "local", "path": "/t", "tier": "hot" } ],
              "retention": { "weekly": 2 } }
            """;
        var policy = BackupPolicy.Parse(json);
        Assert.Equal(new RetentionSettings(7, 2, 12), policy.Retention);
        Assert.Equal("UTC", policy.TimeZone);
        Assert.Empty(policy.Jobs);
        Assert.Empty(policy.Tiers);
        Assert.Null(policy.Drill.ScratchFolder);
    }

    [Fact]
    public void EnumAsNumber_IsRefused()
    {
        string json = PolicyExample.Json.Replace("\"type\": \"snapshot\"", "\"type\": 0", StringComparison.Ordinal);
        var e = Assert.Throws<PolicyException>(() => BackupPolicy.Parse(json));
        Assert.Equal("$.jobs[0].type", e.JsonPath);
    }

    [Fact]
    public void NewerSchema_IsRefusedWithUpgradeAdvice()
    {
        string json = PolicyExample.Json.Replace("\"schemaVersion\": 1", "\"schemaVersion\": 2", StringComparison.Ordinal);
        var e = Assert.Throws<PolicyException>(() => BackupPolicy.Parse(json));
        Assert.Equal("$.schemaVersion", e.JsonPath);
        Assert.Contains("upgrade", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LastTierClosed_IsRefused()
    {
        string json = PolicyExample.Json.Replace("{ \"tier\": \"cold\", \"fromDays\": 30 }", "{ \"tier\": \"cold\", \"fromDays\": 30, \"toDays\": 365 }", StringComparison.Ordinal);
        var e = Assert.Throws<PolicyException>(() => BackupPolicy.Parse(json));
        Assert.Equal("$.tiers[2].toDays", e.JsonPath);
    }

    [Fact]
    public void MissingFile_IsAPolicyException()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<PolicyException>(() => BackupPolicy.Load(dir.File("none.json")));
        Assert.Equal("$", e.JsonPath);
    }
}
