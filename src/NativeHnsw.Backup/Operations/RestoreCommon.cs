using System.Diagnostics;

namespace NativeHnsw.Backup;

/// <summary>The steps an index restore and a store restore share: describing the selection, and making room for the result.</summary>
internal static class RestoreCommon
{
    public static RestoreStep Step(string name, string detail, Stopwatch clock) => new(name, detail, clock.Elapsed);

    public static string DescribeSelection(BackupSelector selector, BackupManifest backup, int chainLength) =>
        $"{selector} → {backup.Id} ({backup.Kind.ToString().ToLowerInvariant()}, {backup.CreatedUtc:yyyy-MM-dd'T'HH:mm:ss'Z'}); chain of {chainLength}";

    /// <summary>Creates <paramref name="folder"/>, where the restored data is staged beside the live data.</summary>
    public static void EnsureFolder(BackupManifest backup, string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BackupDestinationException(backup.Id, $"cannot create the folder '{folder}' to restore into: {e.Message}", e);
        }
    }
}
