using NativeHnsw.Data;

namespace NativeHnsw.Bench.Data;

/// <summary>Turns a <see cref="DatasetRequest"/> into vectors: generated, from the Fashion-MNIST package, or from the user's files.</summary>
public static class DatasetLoader
{
    public const string Synthetic = "synthetic";
    public const string Clustered = "clustered";
    public const string FashionMnist = "fashion-mnist";

    /// <summary>Overrides where the Fashion-MNIST IDX files are looked for (tests; a copy outside Debian's package).</summary>
    public const string FashionMnistDirectoryVariable = "NATIVEHNSW_FASHION_MNIST_DIR";

    /// <summary>Where Debian's dataset-fashion-mnist package installs the files.</summary>
    public const string FashionMnistDefaultDirectory = "/usr/share/datasets/fashion-mnist";

    public const int DefaultSyntheticCount = 10_000;
    public const int DefaultQueries = 1_000;

    /// <summary>Seeds generated queries apart from the base so that no query is a base vector.</summary>
    private const int QuerySeedOffset = 1_000_003;

    public static Dataset Load(DatasetRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Count is < 1)
            throw new BenchInputException($"--count {request.Count} must be at least 1.");
        if (request.Queries is < 1)
            throw new BenchInputException($"--queries {request.Queries} must be at least 1.");
        return request.Source.ToLowerInvariant() switch
        {
            Synthetic or Clustered => Generated(request),
            FashionMnist => FashionMnistSet(request),
            _ when LooksLikeFile(request.Source) => FromFiles(request),
            _ => throw new BenchInputException(
                $"unknown dataset '{request.Source}'; use synthetic, clustered, fashion-mnist or a vector file (.fvecs, .npy, .csv, .tsv)."),
        };
    }

    public static bool LooksLikeFileName(string source) => LooksLikeFile(source);

    private static bool LooksLikeFile(string source) =>
        source.Contains('/', StringComparison.Ordinal) || source.Contains('\\', StringComparison.Ordinal)
        || VectorFiles.Extensions.Any(e => source.EndsWith(e, StringComparison.OrdinalIgnoreCase)) || File.Exists(source);

    private static Dataset Generated(DatasetRequest request)
    {
        if (request.QueryFile is not null)
            throw new BenchInputException("--query-file applies to file datasets, not to generated ones.");
        if (request.Dimensions is < 1 or > HnswOptions.MaxDimensions)
            throw new BenchInputException($"--dims {request.Dimensions} is out of range (1 to {HnswOptions.MaxDimensions}).");
        int count = request.Count ?? DefaultSyntheticCount;
        int queries = request.Queries ?? DefaultQueries;
        if ((long)count * request.Dimensions > Array.MaxLength || (long)queries * request.Dimensions > Array.MaxLength)
            throw new BenchInputException($"{count:N0} × {request.Dimensions} floats do not fit one array; lower --count or --dims.");
        bool clustered = request.Source.Equals(Clustered, StringComparison.OrdinalIgnoreCase);
        float[] data = clustered ? SyntheticVectors.Clustered(count, request.Dimensions, request.Seed) : SyntheticVectors.Gaussian(count, request.Dimensions, request.Seed);
        float[] q = clustered
            ? SyntheticVectors.Clustered(queries, request.Dimensions, request.Seed + QuerySeedOffset)
            : SyntheticVectors.Gaussian(queries, request.Dimensions, request.Seed + QuerySeedOffset);
        string kind = clustered ? "gaussian mixture (64 clusters, 32 latent dims)" : "gaussian";
        return new Dataset(
            clustered ? Clustered : Synthetic,
            $"{kind}, {count:N0} base + {queries:N0} query vectors × {request.Dimensions}, seed {request.Seed}",
            new VectorSet(data, request.Dimensions), new VectorSet(q, request.Dimensions), DistanceMetric.Cosine);
    }

    private static Dataset FashionMnistSet(DatasetRequest request)
    {
        if (request.QueryFile is not null)
            throw new BenchInputException("--query-file does not apply to fashion-mnist (its queries are the t10k split).");
        string directory = Environment.GetEnvironmentVariable(FashionMnistDirectoryVariable) is { Length: > 0 } d ? d : FashionMnistDefaultDirectory;
        string train = Path.Combine(directory, "train-images-idx3-ubyte.gz");
        string test = Path.Combine(directory, "t10k-images-idx3-ubyte.gz");
        if (!File.Exists(train) || !File.Exists(test))
            throw new BenchInputException(
                $"Fashion-MNIST is not installed ({train} not found); install it with: apt-get install dataset-fashion-mnist");
        var baseSet = VectorFiles.ReadIdxImages(train, request.Count);
        var queries = VectorFiles.ReadIdxImages(test, request.Queries);
        return new Dataset(FashionMnist,
            $"Fashion-MNIST (Debian dataset-fashion-mnist), {baseSet.Count:N0} train images as base, {queries.Count:N0} t10k images as queries, {baseSet.Dimensions} dims, pixels 0..255",
            baseSet, queries, DistanceMetric.L2);
    }

    private static Dataset FromFiles(DatasetRequest request)
    {
        string name = Path.GetFileNameWithoutExtension(request.Source);
        if (request.QueryFile is not null)
        {
            var baseSet = VectorFiles.Read(request.Source, request.Count);
            var queries = VectorFiles.Read(request.QueryFile, request.Queries);
            if (queries.Dimensions != baseSet.Dimensions)
                throw new BenchInputException(
                    $"the base '{request.Source}' has {baseSet.Dimensions} dimensions but the queries '{request.QueryFile}' have {queries.Dimensions}.");
            return new Dataset(name, $"{request.Source} ({baseSet.Count:N0} × {baseSet.Dimensions}), queries {request.QueryFile} ({queries.Count:N0})",
                baseSet, queries, DistanceMetric.Cosine);
        }

        // Queries held out: a seeded random choice of rows, removed from the base, so that a sorted file still gives
        // representative queries and no query finds itself.
        var all = request.Count is { } c ? VectorFiles.Read(request.Source, checked(c + (request.Queries ?? DefaultQueries))) : VectorFiles.Read(request.Source);
        int queryCount = request.Queries ?? Math.Min(DefaultQueries, all.Count / 10);
        if (queryCount < 1 || queryCount >= all.Count)
            throw new BenchInputException(
                $"'{request.Source}' holds {all.Count:N0} vectors: too few to hold out {Math.Max(queryCount, 1):N0} queries and keep a base; give --query-file or fewer --queries.");
        var order = Enumerable.Range(0, all.Count).ToArray();
        new Random(request.Seed).Shuffle(order);
        var queryRows = order[..queryCount];
        var baseRows = order[queryCount..];
        Array.Sort(baseRows);
        if (request.Count is { } limit && baseRows.Length > limit)
            baseRows = baseRows[..limit];
        return new Dataset(name,
            $"{request.Source}: {baseRows.Length:N0} base vectors × {all.Dimensions}, {queryCount:N0} queries held out (seed {request.Seed})",
            all.Select(baseRows), all.Select(queryRows), DistanceMetric.Cosine);
    }
}
