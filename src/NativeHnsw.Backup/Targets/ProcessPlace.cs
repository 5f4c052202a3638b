namespace NativeHnsw.Backup;

/// <summary>Where a recorded process ran, seen from this one (<see cref="ProcessIdentity.Place"/>).</summary>
internal enum ProcessPlace
{
    /// <summary>No identity, or one this system cannot read.</summary>
    Unknown,

    /// <summary>This kernel's boot and this PID namespace: its PID means the same process here.</summary>
    Here,

    /// <summary>This boot, another PID namespace (another container): its PID means nothing here.</summary>
    OtherNamespace,

    /// <summary>Another boot: of this machine before a reboot, or of another machine.</summary>
    OtherBoot,
}
