using System.Globalization;
using System.Text;

namespace NativeHnsw.Backup;

/// <summary>
/// Which process is writing a hidden folder of a <see cref="LocalFolderTarget"/> (a staging or deleting folder): its
/// host, pid and start instant, and the target lease it writes under (<see cref="WriterLease"/>) if any, in a small
/// file beside the folder (<c>NAME.owner</c>), written before the folder is made and removed after it is gone. It lets
/// a runner that starts after a kill tell a dead writer's leftovers from a live writer's work: a record naming a lease
/// other than the one the sweeper holds on the target proves the folder abandoned (that lease is over), on any host;
/// without a lease, only a record naming this host and a process that is no longer running (or whose pid now belongs
/// to a process started later) does. A folder without a record, or owned on another host under no lease, is left to
/// the age rule of a prune.
/// </summary>
internal sealed record WriterOwner(string Host, int Pid, DateTime StartedUtc, string? Lease = null)
{
    /// <summary>The writer's <see cref="ProcessIdentity"/>: null in records written before it existed, and off Linux.</summary>
    public string? Process { get; init; }

    internal const string Suffix = ".owner";

    // Process start times are derived from the boot time and can differ by a few milliseconds between readings.
    private static readonly TimeSpan s_startTolerance = TimeSpan.FromSeconds(2);

    private static readonly Lazy<WriterOwner> s_current = new(() =>
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new WriterOwner(Environment.MachineName, Environment.ProcessId, self.StartTime.ToUniversalTime()) { Process = ProcessIdentity.Current };
    });

    /// <summary>This process.</summary>
    public static WriterOwner Current => s_current.Value;

    /// <summary>The record's path for a hidden folder.</summary>
    public static string PathOf(string folder) => folder + Suffix;

    /// <summary>Writes this process's record for <paramref name="folder"/>, with the lease it writes under (null: none). Not fsynced: after a power loss the writer is gone anyway, and a lost or torn record only leaves the folder to the age rule.</summary>
    public static void Claim(string folder, string? lease) => File.WriteAllBytes(PathOf(folder), Encoding.UTF8.GetBytes((Current with { Lease = lease }).Encode()));

    /// <summary>Removes a folder's record, best effort: one left behind is swept with the dead writer's other leftovers.</summary>
    public static void Release(string folder)
    {
        try
        {
            File.Delete(PathOf(folder));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Swept later: a record whose folder is gone is removed once its process is.
        }
    }

    /// <summary>The record at <paramref name="path"/>, or null when it is missing or cannot be read (a torn write).</summary>
    public static WriterOwner? TryRead(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        string[] parts = text.Split('\n');
        // 3 lines: no lease; 4: a lease; 5: the lease (empty: none) and the process identity.
        if (parts.Length is not (3 or 4 or 5) || parts[0].Length == 0 || (parts.Length == 4 && parts[3].Length == 0) || (parts.Length == 5 && parts[4].Length == 0)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)
            || ticks > DateTime.MaxValue.Ticks)
            return null;
        return new WriterOwner(parts[0], pid, new DateTime(ticks, DateTimeKind.Utc), parts.Length >= 4 && parts[3].Length > 0 ? parts[3] : null)
        {
            Process = parts.Length == 5 ? parts[4] : null,
        };
    }

    /// <summary>
    /// True only when the process is provably gone. By its <see cref="Process"/> identity when it ran under this boot:
    /// in this PID namespace, its pid is not running or runs a process started later; in another (another container,
    /// maybe with the same host name) nothing is proven. Otherwise (another boot, or no identity) by the host name:
    /// the record names this host, and no process has its pid, or the one that has it started at another instant.
    /// This process is never gone.
    /// </summary>
    public bool IsGone()
    {
        switch (ProcessIdentity.Place(Process))
        {
            case ProcessPlace.Here:
                return ProcessIdentity.IsGone(Process);
            case ProcessPlace.OtherNamespace:
                return false;
        }
        // Another boot of this host (a reboot ended every process of the last one) or of another machine that shares
        // its name and the folder, as before identities: judged by the host name.
        if (!string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
            return false;
        if (Pid == Environment.ProcessId)
            return (StartedUtc - Current.StartedUtc).Duration() > s_startTolerance;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(Pid);
            return process.HasExited || (process.StartTime.ToUniversalTime() - StartedUtc).Duration() > s_startTolerance;
        }
        catch (ArgumentException)
        {
            // No process has that pid.
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Exited while being looked at (InvalidOperationException), or its start time cannot be read: not provably gone.
            return e is InvalidOperationException;
        }
    }

    /// <summary>
    /// True when the record proves its writer's work abandoned to a sweeper holding the target's lease under
    /// <paramref name="heldLease"/> (null: holding none): the writer wrote under another lease, which is over since the
    /// sweeper holds the target's, or its process is provably gone.
    /// </summary>
    public bool IsAbandoned(string? heldLease) =>
        (heldLease is not null && Lease is not null && !string.Equals(Lease, heldLease, StringComparison.Ordinal)) || IsGone();

    // Three lines for a writer under no lease and without an identity: what writers before leases wrote, read the same.
    // An older reader refuses five lines as torn and leaves the folder to the prune's age rule: safe.
    internal string Encode() => string.Create(CultureInfo.InvariantCulture, $"{Host}\n{Pid}\n{StartedUtc.Ticks}")
        + (Process is not null ? $"\n{Lease}\n{Process}" : Lease is null ? "" : "\n" + Lease);
}
