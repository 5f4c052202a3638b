using System.IO.Hashing;
using System.Runtime.InteropServices;
using NativeHnsw.Bench.Data;
using NativeHnsw.Data;

namespace NativeHnsw.Bench.GroundTruth;

/// <summary>
/// Exact neighbours computed once and kept on disk as TEXMEX <c>.ivecs</c>, named by a hash of the base vectors, the
/// query vectors, the metric and k: any change to the data gives a new file, so a stale answer is never reused.
/// </summary>
public sealed class GroundTruthCache
{
    /// <summary>Format of the computation; bump it when the brute force's answer could change (tie order, precision).</summary>
    private const string Version = "gt1";

    public GroundTruthCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary><c>$XDG_CACHE_HOME/nativehnsw/ground-truth</c>, else <c>~/.cache/nativehnsw/ground-truth</c>.</summary>
    public static string DefaultDirectory
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "nativehnsw", "ground-truth");
        }
    }

    public static string Key(VectorSet baseSet, VectorSet queries, DistanceMetric metric, int k)
    {
        ArgumentNullException.ThrowIfNull(baseSet);
        ArgumentNullException.ThrowIfNull(queries);
        var hash = new XxHash128();
        hash.Append(MemoryMarshal.AsBytes(baseSet.Data.AsSpan()));
        hash.Append(BitConverter.GetBytes(baseSet.Dimensions));
        hash.Append(BitConverter.GetBytes(-1));
        hash.Append(MemoryMarshal.AsBytes(queries.Data.AsSpan()));
        return $"{Version}-{metric}-k{k}-{baseSet.Count}x{baseSet.Dimensions}-q{queries.Count}-{Convert.ToHexStringLower(hash.GetCurrentHash())}";
    }

    public string PathFor(string key) => Path.Combine(Directory, key + ".ivecs");

    /// <summary>The cached answer when there is a sound one, else computed, written (temp file, then rename) and returned.</summary>
    public int[][] GetOrCompute(VectorSet baseSet, VectorSet queries, DistanceMetric metric, int k, out bool fromCache, Action<int>? queriesDone = null)
    {
        string path = PathFor(Key(baseSet, queries, metric, k));
        if (TryRead(path, queries.Count, Math.Min(k, baseSet!.Count), out var cached))
        {
            fromCache = true;
            return cached;
        }
        var truth = ExactKnn.Search(baseSet, queries, k, metric, queriesDone: queriesDone);
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            string temp = path + "." + Environment.ProcessId + ".tmp";
            VectorFiles.WriteIvecs(temp, truth);
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException)
        {
            // The cache is an optimisation: a read-only or full disk must not fail the run.
        }
        catch (UnauthorizedAccessException)
        {
        }
        fromCache = false;
        return truth;
    }

    private static bool TryRead(string path, int queries, int k, out int[][] truth)
    {
        truth = [];
        if (!File.Exists(path))
            return false;
        try
        {
            var rows = VectorFiles.ReadIvecs(path);
            if (rows.Length != queries || rows.Any(r => r.Length != k))
                return false;
            truth = rows;
            return true;
        }
        catch (VectorFileException)
        {
            return false;
        }
    }
}
