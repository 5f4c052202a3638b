namespace NativeHnsw.Backup.Tests;

/// <summary>Index files that grow as a service's does: a seeded base, then new vectors added and the file saved again.</summary>
internal static class ChunkedTestData
{
    /// <summary>Adds <paramref name="count"/> seeded vectors (labels after the existing ones) to the index file at <paramref name="path"/> and saves it in place.</summary>
    public static void Grow(string path, int count, int seed)
    {
        using var index = HnswIndex.Load(path);
        // Labels apart from the base's (0 .. n-1) and from other seeds' growth.
        long first = 1_000_000L + (seed * 100_000L);
        var data = Datasets.Gaussian(count, index.Dimensions, seed);
        index.AddRange(Enumerable.Range(0, count).Select(i => first + i).ToArray(), data, maxDegreeOfParallelism: 1);
        index.Save(path);
    }

    /// <summary>The chunk files of a local target, by key.</summary>
    public static Dictionary<string, string> ChunkFiles(LocalFolderTarget target)
    {
        string root = Path.Combine(target.Root, ".chunks");
        return !Directory.Exists(root)
            ? []
            : Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(f).Length == 64 && !f.Contains("leases", StringComparison.Ordinal))
                .ToDictionary(f => Path.GetFileName(f), f => f, StringComparer.Ordinal);
    }

    public static HashSet<string> Referenced(params BackupManifest[] backups) =>
        [.. backups.SelectMany(b => b.Files).SelectMany(f => f.Chunks ?? []).Select(c => c.Sha256)];
}
