namespace NativeHnsw.Interop;

/// <summary>Whether a native comparison library could be loaded, from where, and if not, why and where it was looked for.</summary>
public sealed record NativeLibraryStatus
{
    /// <summary>The library's file name on this platform, e.g. <c>libfaiss_c.so</c>.</summary>
    public required string FileName { get; init; }

    /// <summary>True when the library is loaded and exports the functions NativeHnsw needs.</summary>
    public required bool IsAvailable { get; init; }

    /// <summary>The file that was loaded; for a library found on the system search path, its file name.</summary>
    public string? LoadedFrom { get; init; }

    /// <summary>Why the library is unavailable: which file was missing or failed to load, and how to fix it.</summary>
    public string? Reason { get; init; }

    /// <summary>Every location tried, in probe order.</summary>
    public required IReadOnlyList<string> SearchedLocations { get; init; }

    /// <summary>
    /// True when the library is NativeHnsw's own build (native/), with the <c>nh_</c> additions: for FAISS, efConstruction,
    /// the build seed, memory accounting and OpenMP thread control. A real FAISS <c>libfaiss_c.so</c> has none of them.
    /// </summary>
    public bool HasNativeHnswExtensions { get; init; }

    public override string ToString() =>
        IsAvailable ? $"{FileName}: loaded from {LoadedFrom}" : $"{FileName}: unavailable: {Reason}";
}
