using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using NativeHnsw.Embeddings;

namespace NativeHnsw.Bench.Micro;

/// <summary>
/// Throughput of the local all-MiniLM-L6-v2 embedder (NativeHnsw.Embeddings) on short English sentences (8 to 16
/// words, seeded), across batch sizes and thread counts. One operation is one document, so the Mean column is the time
/// per document and the docs/s column its inverse: the figure docs/AI.md quotes.
/// </summary>
[Config(typeof(DocsPerSecondConfig))]
public class EmbeddingBenchmarks
{
    /// <summary>Documents per invocation: several batches for every batch size, so the parallel runs have work to share.</summary>
    public const int Documents = 256;

    private static readonly string[] s_words =
    [
        "the", "a", "backup", "store", "index", "vector", "query", "search", "cat", "dog", "garden", "river", "city", "train",
        "morning", "evening", "quickly", "slowly", "writes", "reads", "opens", "closes", "finds", "keeps", "loses", "builds",
        "every", "some", "old", "new", "small", "large", "green", "cold", "warm", "file", "folder", "disk", "network", "model",
        "sentence", "document", "answer", "question", "during", "after", "before", "under", "over", "with", "without", "and",
        "but", "because", "when", "while", "often", "never", "always", "team", "report", "meeting", "coffee", "window", "light",
    ];

    private MiniLmEmbeddingGenerator _embedder = null!;
    private string[] _texts = [];

    [Params(1, 32, 64)]
    public int BatchSize { get; set; }

    /// <summary>Batches run at once; −1 is one per processor (the default).</summary>
    [Params(1, -1)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(17);
        _texts = new string[Documents];
        for (int i = 0; i < _texts.Length; i++)
        {
            int length = random.Next(8, 17);
            var words = new string[length];
            for (int w = 0; w < length; w++)
                words[w] = s_words[random.Next(s_words.Length)];
            _texts[i] = string.Join(' ', words) + ".";
        }
        _embedder = new MiniLmEmbeddingGenerator(new MiniLmOptions { BatchSize = BatchSize, MaxDegreeOfParallelism = Threads });
        // A run that does not give the vectors one-by-one calls give would time the wrong thing.
        var batched = _embedder.Embed(_texts);
        using var single = new MiniLmEmbeddingGenerator(new MiniLmOptions { BatchSize = 1, MaxDegreeOfParallelism = 1 });
        foreach (int i in new[] { 0, Documents / 2, Documents - 1 })
        {
            if (!single.Embed([_texts[i]])[0].AsSpan().SequenceEqual(batched[i]))
                throw new InvalidOperationException($"document {i}: the batched vector differs from the one-by-one vector.");
        }
        if (batched.Length != Documents || batched.Any(v => v.Length != MiniLmEmbeddingGenerator.Dimensions))
            throw new InvalidOperationException("the embedder returned the wrong number or length of vectors.");
    }

    [GlobalCleanup]
    public void Cleanup() => _embedder.Dispose();

    [Benchmark(OperationsPerInvoke = Documents)]
    public int Embed() => _embedder.Embed(_texts).Length;

    private sealed class DocsPerSecondConfig : ManualConfig
    {
        public DocsPerSecondConfig() => AddColumn(new DocsPerSecondColumn());
    }

    /// <summary>Documents a second: the inverse of the mean time per operation (one document).</summary>
    private sealed class DocsPerSecondColumn : IColumn
    {
        public string Id => nameof(DocsPerSecondColumn);

        public string ColumnName => "docs/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Documents embedded per second (1 / Mean)";

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double? nanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return nanoseconds is > 0 ? (1e9 / nanoseconds.Value).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "-";
        }
    }
}
