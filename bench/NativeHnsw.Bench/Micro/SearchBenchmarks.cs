using BenchmarkDotNet.Attributes;
using NativeHnsw.Data;

namespace NativeHnsw.Bench.Micro;

/// <summary>One query at a time against a 10,000 × 128 index: the latency a service sees, and its allocations (none).</summary>
[MemoryDiagnoser]
public class SearchBenchmarks
{
    private const int Dims = 128;
    private HnswIndex _index = null!;
    private float[] _queries = [];
    private readonly SearchResult[] _results = new SearchResult[10];
    private int _next;

    [Params(DistanceMetric.Cosine, DistanceMetric.L2)]
    public DistanceMetric Metric { get; set; }

    [Params(40, 160)]
    public int Ef { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var data = SyntheticVectors.Gaussian(10_000, Dims, seed: 1);
        _queries = SyntheticVectors.Gaussian(1_000, Dims, seed: 2);
        _index = new HnswIndex(new HnswOptions { Dimensions = Dims, Metric = Metric });
        _index.AddRange(SyntheticVectors.RowLabels(10_000), data);
        if (_index.Search(SyntheticVectors.Row(data, Dims, 7), _results, Ef) == 0 || _results[0].Label != 7)
            throw new InvalidOperationException("The index does not find a vector it holds.");
    }

    [GlobalCleanup]
    public void Cleanup() => _index.Dispose();

    [Benchmark]
    public int Search()
    {
        int q = _next++ % 1_000;
        return _index.Search(_queries.AsSpan(q * Dims, Dims), _results, Ef);
    }
}
