namespace NativeHnsw.Backup.Hosting;

/// <summary>The commented example policy <c>nhnsw policy init</c> writes; a test keeps it loadable.</summary>
public static class PolicyExample
{
    public const string Json = """
        // NativeHnsw backup policy (schema 1). Reference: docs/OPERATIONS.md.
        // Comments and trailing commas are allowed; unknown keys are refused, so a typo is an error.
        // Relative paths are resolved against this file's folder.
        {
          "schemaVersion": 1,
          // The time zone cron schedules are read in, unless a job names its own (IANA id, or "UTC").
          "timeZone": "UTC",
          // The scheduler's own record of the last run of each job, written atomically.
          "stateFile": "state/scheduler-state.json",

          // What to back up: index files ("index") and store folders ("store"), each with a name and a primary target.
          "sources": [
            { "name": "docs-index", "type": "index", "path": "data/docs.hnsw", "target": "local", "rto": "00:10:00", "rpo": "02:00:00" },
            { "name": "chat-store", "type": "store", "path": "data/chat-store", "target": "local", "rto": "00:30:00", "rpo": "02:00:00" },
          ],

          // Where backups live, the tier each target is, an optional quota (GB) and a price per GB-month.
          "targets": [
            { "name": "local", "type": "local", "path": "backups/hot", "tier": "hot", "quotaGb": 200, "pricePerGbMonth": 0.10 },
            { "name": "warm", "type": "local", "path": "backups/warm", "tier": "warm", "pricePerGbMonth": 0.03 },
            // S3-compatible storage; keys come from the environment variables named here (default AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
            { "name": "offsite", "type": "s3", "bucket": "rag-backups", "prefix": "prod/", "endpoint": "https://s3.example.com", "tier": "cold", "pricePerGbMonth": 0.004 },
          ],

          // Cron: minute hour day-of-month month day-of-week (or six fields, seconds first).
          "jobs": [
            { "name": "nightly-snapshot", "type": "snapshot", "cron": "0 2 * * *" },
            { "name": "hourly-incremental", "type": "incremental", "cron": "0 * * * *", "sources": ["chat-store"] },
            { "name": "daily-offsite", "type": "offsite", "cron": "30 3 * * *" },
            { "name": "daily-tiers", "type": "tiers", "cron": "0 4 * * *" },
            { "name": "daily-prune", "type": "prune", "cron": "30 4 * * *" },
            { "name": "weekly-scrub", "type": "scrub", "cron": "0 5 * * 6" },
            { "name": "weekly-drill", "type": "drill", "cron": "0 6 * * 0", "timeZone": "Europe/Berlin" },
            { "name": "monthly-report", "type": "report", "cron": "0 7 1 * *" },
            // Change shipping for point-in-time restore: every 10 seconds, the store's new commits as a segment.
            { "name": "replicate-chat", "type": "replicate", "cron": "*/10 * * * * *", "sources": ["chat-store"] },
          ],

          // Ages (days) each tier holds: no gaps, no overlaps, the last open-ended.
          "tiers": [
            { "tier": "hot", "fromDays": 0, "toDays": 7 },
            { "tier": "warm", "fromDays": 7, "toDays": 30 },
            { "tier": "cold", "fromDays": 30 },
          ],

          // Every new backup is also copied here by the offsite job.
          "offsite": { "target": "offsite" },

          // Grandfather-father-son per source, over every target that holds its backups; an incremental's ancestors are kept while it is.
          "retention": { "daily": 7, "weekly": 4, "monthly": 12 },

          // Drills restore the newest backup of each source here, run every check, and delete the copy.
          "drill": { "scratchFolder": "scratch" },
        }
        """;
}
