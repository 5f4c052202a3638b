using System.Globalization;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// A duration for people, in the unit that keeps its digits: milliseconds below a second (a drill of a small store
/// restores in a few ms, which "0.0 s" hid), seconds below a minute, then minutes and hours.
/// </summary>
internal static class DurationText
{
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
            return "-" + Format(duration.Negate());
        double ms = duration.TotalMilliseconds;
        if (ms < 10)
            return ms.ToString("0.##", CultureInfo.InvariantCulture) + " ms";
        if (ms < 1000)
            return ms.ToString("0", CultureInfo.InvariantCulture) + " ms";
        if (duration.TotalSeconds < 60)
            return duration.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + " s";
        if (duration.TotalHours < 1)
            return string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes} min {duration.Seconds} s");
        return string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours} h {duration.Minutes} min");
    }
}
