namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>Cron slots in named time zones across daylight-saving changes (Europe/Berlin, 2026: 29 March and 25 October).</summary>
public sealed class JobScheduleTests
{
    private static JobSchedule At(string cron, string zone) => new(new JobPolicy { Name = "j", Type = JobType.Snapshot, Cron = cron }, zone);

    [Fact]
    public void DailyInBerlin_FollowsTheOffset_AcrossTheSpringChange()
    {
        var s = At("0 2 * * *", "Europe/Berlin");
        // 02:00 CET = 01:00 UTC; on 29 March 02:00 does not exist and the job runs at the jump (03:00 CEST = 01:00 UTC); then 02:00 CEST = 00:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 1, 0, 0, TimeSpan.Zero), s.NextAfter(new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), s.NextAfter(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 0, 0, 0, TimeSpan.Zero), s.NextAfter(new DateTimeOffset(2026, 3, 29, 12, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void DailyInBerlin_RunsOnce_InTheRepeatedAutumnHour()
    {
        var s = At("30 2 * * *", "Europe/Berlin");
        var first = s.NextAfter(new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero));
        // 02:30 happens twice on 25 October (CEST then CET); the job runs at the first only.
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), first);
        Assert.Equal(new DateTimeOffset(2026, 10, 26, 1, 30, 0, TimeSpan.Zero), s.NextAfter(first!.Value));
    }

    [Fact]
    public void Hourly_HasTwentyThreeSlotsOnTheShortDay_AndTwentyFiveOnTheLongOne()
    {
        var s = At("0 * * * *", "Europe/Berlin");
        static DateTimeOffset MidnightBerlin(int month, int day, int offsetHours) => new(2026, month, day, 0, 0, 0, TimeSpan.FromHours(offsetHours));
        int Slots(DateTimeOffset from, DateTimeOffset to)
        {
            int n = 0;
            for (var t = s.NextAfter(from.AddTicks(-1)); t < to; t = s.NextAfter(t!.Value))
                n++;
            return n;
        }
        Assert.Equal(23, Slots(MidnightBerlin(3, 29, 1), MidnightBerlin(3, 30, 2)));
        Assert.Equal(25, Slots(MidnightBerlin(10, 25, 2), MidnightBerlin(10, 26, 1)));
    }

    [Fact]
    public void LatestSlot_FoldsEveryMissedSlotIntoTheNewest()
    {
        var s = At("0 * * * *", "UTC");
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(from.AddHours(50), s.LatestSlot(from, from.AddHours(50).AddMinutes(59)));
        Assert.Null(s.LatestSlot(from, from.AddMinutes(59)));
    }

    [Fact]
    public void JobTimeZone_WinsOverThePolicyDefault()
    {
        var job = new JobPolicy { Name = "j", Type = JobType.Drill, Cron = "0 6 * * *", TimeZone = "Asia/Kolkata" };
        var s = new JobSchedule(job, "Europe/Berlin");
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 0, 30, 0, TimeSpan.Zero), s.NextAfter(new DateTimeOffset(2026, 5, 31, 12, 0, 0, TimeSpan.Zero)));
    }
}
