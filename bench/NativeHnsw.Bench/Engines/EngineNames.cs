using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Engines;

/// <summary>The engines the harness can run, as named on the command line and in the reports.</summary>
public static class EngineNames
{
    public const string NativeHnsw = HnswIndexEngine.EngineName;

    /// <summary>Our index saved, then memory-mapped read-only and searched in place.</summary>
    public const string NativeHnswMapped = "NativeHnsw-mmap";

    /// <summary>Our index walking int8 rows, re-ranked with float32.</summary>
    public const string NativeHnswI8 = HnswIndexEngine.Int8EngineName;

    /// <summary>Our index walking float16 rows, re-ranked with float32.</summary>
    public const string NativeHnswF16 = HnswIndexEngine.Float16EngineName;

    public const string Faiss = FaissEngine.EngineName;

    public const string Hnswlib = HnswlibEngine.EngineName;

    /// <summary>USearch through its C API, vectors stored as f32.</summary>
    public const string Usearch = UsearchEngine.EngineName;

    public const string UsearchF16 = UsearchEngine.EngineName + "-f16";

    /// <summary>USearch's i8 quantisation: cosine only (listed unavailable under other metrics).</summary>
    public const string UsearchI8 = UsearchEngine.EngineName + "-i8";

    /// <summary>USearch through the package's C# wrapper: one ef only.</summary>
    public const string UsearchWrapper = UsearchWrapperEngine.EngineName;

    public static readonly IReadOnlyList<string> All = [NativeHnsw, NativeHnswMapped, NativeHnswI8, NativeHnswF16, Faiss, Hnswlib, Usearch, UsearchF16, UsearchI8, UsearchWrapper];

    /// <summary>Parses "NativeHnsw,FAISS" (any case, commas or separate arguments) into canonical names.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new List<string>();
        foreach (string value in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            string? name = All.FirstOrDefault(n => n.Equals(value, StringComparison.OrdinalIgnoreCase))
                ?? (value.Equals("mmap", StringComparison.OrdinalIgnoreCase) ? NativeHnswMapped : null);
            if (name is null)
                throw new BenchInputException($"unknown engine '{value}'; known: {string.Join(", ", All)}.");
            if (!result.Contains(name))
                result.Add(name);
        }
        if (result.Count == 0)
            throw new BenchInputException("--engines names no engine.");
        return result;
    }
}
