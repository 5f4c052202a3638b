using System.Diagnostics;
using System.Globalization;

namespace NativeHnsw.Backup;

/// <summary>
/// A process as another process sharing its kernel and PID namespace can check it:
/// <c>linux:BOOT_ID:PID_NAMESPACE:PID:START_TICKS</c>. Lease holders and writers' staging records carry it, so a holder
/// or writer that was killed is known gone at once: its lease is taken over instead of blocking its target until the
/// lease expires (minutes, for a command killed mid-round), and its staging is swept.
/// </summary>
/// <remarks>
/// A host name is not enough: containers share one (host networking, a set hostname), each with its own PID space, and
/// a shared folder or bucket is seen from many machines. The boot id and the PID namespace say whether the recorded
/// PID means the same process here; the start time (clock ticks since boot, from <c>/proc/PID/stat</c>) tells a
/// reused PID from the recorded process. Gone only on proof: the PID is not running (or is a zombie), or runs a process
/// started at another tick. Anything that cannot be read (another system, a hidden <c>/proc</c>, an identity from
/// another boot or namespace) proves nothing. Null on systems other than Linux.
/// </remarks>
public static class ProcessIdentity
{
    private static readonly Lazy<string?> s_space = new(ReadSpace);
    private static readonly Lazy<string?> s_current = new(() => Of(Environment.ProcessId));

    /// <summary>This process's identity; null where it cannot be had (not Linux, or <c>/proc</c> unreadable).</summary>
    public static string? Current => s_current.Value;

    /// <summary>True when <paramref name="identity"/> names a process of this kernel and PID namespace that has ended.</summary>
    public static bool IsGone(string? identity)
    {
        if (Place(identity) != ProcessPlace.Here)
            return false;
        var rest = identity.AsSpan(s_space.Value!.Length);
        int colon = rest.IndexOf(':');
        if (colon <= 0 || !int.TryParse(rest[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
            return false;
        if (!IsRunning(pid))
            return true;
        // Running, but unreadable: not proof of anything.
        if (Start(pid) is not { } start)
            return false;
        return start.Zombie || !rest[(colon + 1)..].SequenceEqual(start.Ticks);
    }

    /// <summary>Where the process <paramref name="identity"/> names ran, seen from this one.</summary>
    internal static ProcessPlace Place(string? identity)
    {
        if (identity is null || s_space.Value is not { } space || !identity.StartsWith("linux:", StringComparison.Ordinal))
            return ProcessPlace.Unknown;
        if (identity.StartsWith(space, StringComparison.Ordinal))
            return ProcessPlace.Here;
        // "linux:BOOT:" is the first 2 fields of both.
        int boot = space.IndexOf(':', "linux:".Length) + 1;
        return string.CompareOrdinal(identity, 0, space, 0, boot) == 0 ? ProcessPlace.OtherNamespace : ProcessPlace.OtherBoot;
    }

    /// <summary>The identity of the running process <paramref name="pid"/>; null when it cannot be had.</summary>
    internal static string? Of(int pid) =>
        s_space.Value is { } space && Start(pid) is { Zombie: false } start ? string.Create(CultureInfo.InvariantCulture, $"{space}{pid}:{start.Ticks}") : null;

    /// <summary><c>linux:BOOT_ID:PID_NAMESPACE:</c>, or null.</summary>
    private static string? ReadSpace()
    {
        if (!OperatingSystem.IsLinux())
            return null;
        try
        {
            string boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            // "pid:[4026531836]": the namespace's inode, unique among the namespaces of one boot.
            string? ns = new FileInfo("/proc/self/ns/pid").LinkTarget;
            if (boot.Length == 0 || boot.Contains(':', StringComparison.Ordinal) || ns is null || !ns.StartsWith("pid:[", StringComparison.Ordinal) || !ns.EndsWith(']'))
                return null;
            return $"linux:{boot}:{ns[5..^1]}:";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The process's start (field 22 of <c>/proc/PID/stat</c>) and whether it is a zombie (field 3); null when unreadable.</summary>
    private static (string Ticks, bool Zombie)? Start(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // The command name (field 2) is in parentheses and may hold spaces or ')': the fields after it follow the last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0)
            return null;
        string[] fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
        if (fields.Length < 20 || !ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return null;
        return (fields[19], fields[0] is "Z" or "X");
    }

    /// <summary>Whether the PID exists (a process of another user counts: the signal-0 probe's EPERM is "running").</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
