using FsCheck.Xunit;

namespace NativeHnsw.Backup.Tests;

/// <summary>
/// The grandfather-father-son laws over random histories. Each case is built from its FsCheck-chosen seed, so a
/// failure's printed arguments reproduce it.
/// </summary>
public sealed class RetentionProperties
{
    private static readonly DateTimeOffset s_origin = new(2023, 12, 20, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Up to 120 backups over ~two years, clustered so days, weeks and months hold several; a third are incrementals of an earlier backup; some parents missing.</summary>
    private static List<BackupInfo> History(int seed)
    {
        var random = new Random(seed);
        int count = random.Next(0, 121);
        var list = new List<BackupInfo>();
        for (int i = 0; i < count; i++)
        {
            var t = s_origin.AddMinutes(random.Next(0, 2 * 365 * 24 * 60) / (random.Next(1, 4) == 1 ? 30 : 1));
            string id = $"b{i:D3}";
            if (list.Count > 0 && random.Next(3) == 0)
            {
                string parent = random.Next(10) == 0 ? "gone" : list[random.Next(list.Count)].Id;
                list.Add(new BackupInfo(id, t, BackupKind.Incremental, parent));
            }
            else
            {
                list.Add(new BackupInfo(id, t, BackupKind.Full, null));
            }
        }
        return list;
    }

    private static RetentionPolicy Policy(int seed)
    {
        var random = new Random(~seed);
        int d = random.Next(0, 10), w = random.Next(0, 6), m = random.Next(0, 14);
        return d + w + m == 0 ? new RetentionPolicy() : new RetentionPolicy(d, w, m);
    }

    [Property(MaxTest = 300)]
    public bool Plan_PartitionsTheHistory(int seed)
    {
        var history = History(seed);
        var plan = Retention.Plan(history, Policy(seed));
        var ids = plan.Kept.Select(k => k.Backup.Id).Concat(plan.Pruned.Select(p => p.Id)).ToList();
        return ids.Count == history.Count && ids.ToHashSet().SetEquals(history.Select(h => h.Id));
    }

    [Property(MaxTest = 300)]
    public bool Plan_KeptIsExactlyBucketRepresentativesAndTheirAncestors(int seed)
    {
        var history = History(seed);
        var policy = Policy(seed);
        var expected = new HashSet<string>();
        foreach (var (bucket, n) in new (Func<DateTimeOffset, string>, int)[] { (Retention.DayOf, policy.Daily), (Retention.WeekOf, policy.Weekly), (Retention.MonthOf, policy.Monthly) })
        {
            // Spec, independently: group by bucket, newest buckets first, newest backup of each.
            foreach (var group in history.GroupBy(h => bucket(h.CreatedUtc)).OrderByDescending(g => g.Max(h => h.CreatedUtc)).Take(n))
                expected.Add(group.OrderBy(h => h.CreatedUtc).ThenBy(h => h.Id, StringComparer.Ordinal).Last().Id);
        }
        var byId = history.ToDictionary(h => h.Id);
        foreach (string id in expected.ToList())
        {
            for (var b = byId[id]; b.Parent is { } p && byId.TryGetValue(p, out var parent); b = parent)
                expected.Add(parent.Id);
        }
        return Retention.Plan(history, policy).Kept.Select(k => k.Backup.Id).ToHashSet().SetEquals(expected);
    }

    [Property(MaxTest = 300)]
    public bool Plan_NothingAKeptBackupNeedsIsPruned(int seed)
    {
        var history = History(seed);
        var plan = Retention.Plan(history, Policy(seed));
        var kept = plan.Kept.Select(k => k.Backup.Id).ToHashSet();
        var present = history.Select(h => h.Id).ToHashSet();
        return plan.Kept.All(k => k.Backup.Parent is not { } p || !present.Contains(p) || kept.Contains(p));
    }

    [Property(MaxTest = 300)]
    public bool Plan_NewestBackupAlwaysKept(int seed)
    {
        var history = History(seed);
        if (history.Count == 0)
            return true;
        var newest = history.OrderBy(h => h.CreatedUtc).ThenBy(h => h.Id, StringComparer.Ordinal).Last();
        return Retention.Plan(history, Policy(seed)).Kept.Any(k => k.Backup.Id == newest.Id);
    }

    [Property(MaxTest = 300)]
    public bool Plan_PruningTwiceChangesNothing(int seed)
    {
        var history = History(seed);
        var policy = Policy(seed);
        var once = Retention.Plan(history, policy);
        var twice = Retention.Plan(once.Kept.Select(k => k.Backup), policy);
        return twice.Pruned.Count == 0 && twice.Kept.Count == once.Kept.Count;
    }

    [Fact]
    public void WeekOf_UsesIsoWeekYear()
    {
        Assert.Equal("2025-W01", Retention.WeekOf(new DateTimeOffset(2024, 12, 30, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2020-W53", Retention.WeekOf(new DateTimeOffset(2021, 1, 3, 23, 59, 0, TimeSpan.Zero)));
        // UTC decides the day: 23:30 at UTC-5 is the next UTC day.
        Assert.Equal("2025-03-15", Retention.DayOf(new DateTimeOffset(2025, 3, 14, 23, 30, 0, TimeSpan.FromHours(-5))));
    }

    [Fact]
    public void Prune_OnTarget_DeletesOnlyPlanned_DryRunDeletesNothing()
    {
        using var dir = new TempDirectory();
        string source = TestIndexes.Save(dir, "s.hnsw", 50, seed: 1);
        var target = new LocalFolderTarget(dir.File("backups"));
        var t0 = new DateTimeOffset(2025, 1, 1, 6, 0, 0, TimeSpan.Zero);
        for (int day = 0; day < 10; day++)
            IndexBackup.BackupFile(source, target, new BackupOptions { CreatedUtc = t0.AddDays(day), ProbeQueries = 1 });
        var policy = new RetentionPolicy(daily: 3, weekly: 0, monthly: 0);

        var dry = BackupPruner.Prune(target, policy, dryRun: true);
        Assert.Equal(7, dry.Plan.Pruned.Count);
        Assert.Empty(dry.Deleted);
        Assert.Equal(10, target.ListIds().Count);

        var real = BackupPruner.Prune(target, policy, dryRun: false);
        Assert.Equal(7, real.Deleted.Count);
        Assert.Equal(real.Plan.Kept.Select(k => k.Backup.Id).Order(StringComparer.Ordinal), target.ListIds());
        Assert.Empty(BackupPruner.Prune(target, policy, dryRun: false).Deleted);
    }
}
