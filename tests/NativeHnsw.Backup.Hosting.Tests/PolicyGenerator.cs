namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>Valid policies built from a seed, so a failing property's printed seed reproduces its case.</summary>
internal static class PolicyGenerator
{
    private static readonly string[] s_crons = ["0 2 * * *", "0 * * * *", "*/15 * * * *", "30 3 * * 1-5", "0 6 * * 0", "0 0 1 * *", "15 10 * * *", "0 30 2 * * *"];
    private static readonly string[] s_zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"];
    private static readonly string[] s_tiers = ["hot", "warm", "cold", "glacier"];

    public static BackupPolicy Valid(int seed)
    {
        var random = new Random(seed);
        var targets = new List<TargetPolicy>();
        int targetCount = random.Next(1, 5);
        for (int i = 0; i < targetCount; i++)
        {
            bool s3 = random.Next(3) == 0;
            targets.Add(new TargetPolicy
            {
                Name = $"t{i}",
                Type = s3 ? TargetType.S3 : TargetType.Local,
                Tier = s_tiers[random.Next(s_tiers.Length)],
                Path = s3 ? null : $"/backups/t{i}",
                Bucket = s3 ? $"bucket-{i}" : null,
                Prefix = s3 && random.Next(2) == 0 ? "p/" : null,
                Endpoint = s3 && random.Next(2) == 0 ? new Uri("http://127.0.0.1:9000") : null,
                Region = s3 && random.Next(2) == 0 ? "eu-central-1" : null,
                QuotaGb = random.Next(2) == 0 ? random.Next(1, 1000) / 4.0 : null,
                PricePerGbMonth = random.Next(2) == 0 ? random.Next(0, 100) / 1000.0 : null,
            });
        }
        var sources = new List<SourcePolicy>();
        int sourceCount = random.Next(1, 5);
        for (int i = 0; i < sourceCount; i++)
        {
            sources.Add(new SourcePolicy
            {
                Name = $"s{i}",
                Type = random.Next(2) == 0 ? SourceType.Index : SourceType.Store,
                Path = $"/data/s{i}",
                Target = targets[random.Next(targets.Count)].Name,
                Rto = random.Next(2) == 0 ? TimeSpan.FromSeconds(random.Next(1, 7200)) : null,
            });
        }
        var tiers = new List<TierRule>();
        var present = targets.Select(t => t.Tier).Distinct().ToList();
        if (random.Next(3) != 0)
        {
            int count = random.Next(1, present.Count + 1);
            double from = 0;
            for (int i = 0; i < count; i++)
            {
                double? to = i == count - 1 ? null : from + random.Next(1, 60) / 2.0;
                tiers.Add(new TierRule { Tier = present[i], FromDays = from, ToDays = to });
                from = to ?? from;
            }
        }
        OffsiteSettings? offsite = random.Next(2) == 0 ? new OffsiteSettings { Target = targets[random.Next(targets.Count)].Name } : null;
        var jobs = new List<JobPolicy>();
        int jobCount = random.Next(0, 9);
        for (int i = 0; i < jobCount; i++)
        {
            var type = (JobType)random.Next(8);
            if (type == JobType.Tiers && tiers.Count == 0)
                type = JobType.Prune;
            string? target = type is JobType.Snapshot or JobType.Incremental or JobType.Offsite && random.Next(2) == 0
                ? targets[random.Next(targets.Count)].Name
                : null;
            if (type == JobType.Offsite && offsite is null)
                target ??= targets[0].Name;
            jobs.Add(new JobPolicy
            {
                Name = $"j{i}",
                Type = type,
                Cron = s_crons[random.Next(s_crons.Length)],
                TimeZone = random.Next(2) == 0 ? s_zones[random.Next(s_zones.Length)] : null,
                Sources = [.. sources.Where(_ => random.Next(3) == 0).Select(s => s.Name)],
                Target = target,
            });
        }
        int daily = random.Next(0, 10), weekly = random.Next(0, 6), monthly = random.Next(0, 14);
        if (daily + weekly + monthly == 0)
            daily = 1;
        return new BackupPolicy
        {
            TimeZone = s_zones[random.Next(s_zones.Length)],
            StateFile = random.Next(2) == 0 ? "/var/lib/nhnsw/state.json" : null,
            Sources = sources,
            Targets = targets,
            Jobs = jobs,
            Tiers = tiers,
            Offsite = offsite,
            Retention = new RetentionSettings(daily, weekly, monthly),
            Drill = random.Next(2) == 0 ? new DrillSettings { ScratchFolder = "/var/tmp/drill" } : new DrillSettings(),
        };
    }
}
