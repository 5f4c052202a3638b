using System.Globalization;

namespace NativeHnsw.Backup;

/// <summary>
/// The grandfather-father-son rule as a pure function. A bucket is a UTC calendar day, an ISO-8601 week (its own
/// year: 2024-12-30 is in 2025-W01) or a UTC month; a bucket's representative is its newest backup (by time, then
/// id). Kept = the representatives of the newest <see cref="RetentionPolicy.Daily"/> day buckets, the newest
/// <see cref="RetentionPolicy.Weekly"/> week buckets and the newest <see cref="RetentionPolicy.Monthly"/> month
/// buckets, closed under "parent of a kept backup". Everything else is pruned.
/// </summary>
/// <remarks>
/// Laws (property-tested): the newest backup is always kept; nothing a kept backup needs is pruned; planning over
/// the kept set keeps all of it (pruning twice changes nothing). A parent missing from the input is not an error
/// here (restore reports the broken chain); it simply cannot be kept.
/// </remarks>
public static class Retention
{
    public static RetentionPlan Plan(IEnumerable<BackupInfo> backups, RetentionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(backups);
        ArgumentNullException.ThrowIfNull(policy);
        var all = backups.ToList();
        var byId = new Dictionary<string, BackupInfo>(StringComparer.Ordinal);
        foreach (var b in all)
        {
            if (!byId.TryAdd(b.Id, b))
                throw new ArgumentException($"Backup id '{b.Id}' appears twice.", nameof(backups));
        }
        all.Sort(Compare);

        var reasons = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Keep(BackupInfo b, string reason)
        {
            if (!reasons.TryGetValue(b.Id, out var list))
                reasons[b.Id] = list = [];
            list.Add(reason);
        }

        KeepNewestBuckets(all, policy.Daily, DayOf, "daily", Keep);
        KeepNewestBuckets(all, policy.Weekly, WeekOf, "weekly", Keep);
        KeepNewestBuckets(all, policy.Monthly, MonthOf, "monthly", Keep);

        // Close under parents: a kept incremental is useless without its whole chain.
        var pending = new Stack<string>(reasons.Keys);
        while (pending.Count > 0)
        {
            var child = byId[pending.Pop()];
            if (child.Parent is { } parentId && byId.TryGetValue(parentId, out var parent))
            {
                bool isNew = !reasons.ContainsKey(parentId);
                Keep(parent, "parent of " + child.Id);
                if (isNew)
                    pending.Push(parentId);
            }
        }

        var kept = all.Where(b => reasons.ContainsKey(b.Id)).Select(b => new RetainedBackup(b, reasons[b.Id])).ToList();
        var pruned = all.Where(b => !reasons.ContainsKey(b.Id)).ToList();
        return new RetentionPlan(kept, pruned);
    }

    /// <summary>The UTC calendar day of an instant, as <c>yyyy-MM-dd</c>.</summary>
    public static string DayOf(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The ISO-8601 week of an instant (UTC), as <c>yyyy-Www</c> with the ISO week-numbering year.</summary>
    public static string WeekOf(DateTimeOffset t)
    {
        var d = t.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(d):D4}-W{ISOWeek.GetWeekOfYear(d):D2}");
    }

    /// <summary>The UTC month of an instant, as <c>yyyy-MM</c>.</summary>
    public static string MonthOf(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Oldest first: by time, then by id, so equal times still give one order.</summary>
    public static int Compare(BackupInfo x, BackupInfo y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int c = x.CreatedUtc.CompareTo(y.CreatedUtc);
        return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
    }

    private static void KeepNewestBuckets(List<BackupInfo> oldestFirst, int count, Func<DateTimeOffset, string> bucketOf, string label, Action<BackupInfo, string> keep)
    {
        if (count == 0)
            return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Newest first, so the first backup met in a bucket is its newest; buckets are met newest first too,
        // because every bucketing here is monotone in time.
        for (int i = oldestFirst.Count - 1; i >= 0 && seen.Count < count; i--)
        {
            string bucket = bucketOf(oldestFirst[i].CreatedUtc);
            if (seen.Add(bucket))
                keep(oldestFirst[i], $"{label} {bucket}");
        }
    }
}
