using BenchmarkDotNet.Attributes;
using NativeHnsw.Data;

namespace NativeHnsw.Bench.Micro;

/// <summary>
/// Save (atomic, with fsync), load (every checksum and invariant checked) and memory-mapped open of
/// one index file, at a ragged and a round size. The harness's `persistence` mode puts the same
/// operations next to the disk's measured limits across sizes.
/// </summary>
[MemoryDiagnoser]
public class PersistenceBenchmarks
{
    private const int Dims = 128;
    private HnswIndex _index = null!;
    private string _folder = "";
    private string _file = "";
    private string _saveTarget = "";

    [Params(10_000, 33_333)]
    public int Count { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("nhnsw-bdn-").FullName;
        _file = Path.Combine(_folder, "index.nhnsw");
        _saveTarget = Path.Combine(_folder, "saved.nhnsw");
        _index = new HnswIndex(new HnswOptions { Dimensions = Dims, EfConstruction = 100 });
        _index.AddRange(SyntheticVectors.RowLabels(Count), SyntheticVectors.Gaussian(Count, Dims, seed: 3));
        _index.Save(_file);
        // Timing a file that does not answer like its source would measure the wrong thing.
        var query = SyntheticVectors.Gaussian(1, Dims, seed: 4);
        using var mapped = HnswIndex.Open(_file);
        if (!mapped.Search(query, 10, 64).SequenceEqual(_index.Search(query, 10, 64)))
            throw new InvalidOperationException("The mapped file answers differently from the index it was saved from.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public void Save() => _index.Save(_saveTarget);

    [Benchmark]
    public int Load()
    {
        using var loaded = HnswIndex.Load(_file);
        return loaded.Count;
    }

    [Benchmark]
    public int LoadChecksums()
    {
        using var loaded = HnswIndex.Load(_file, LoadCheck.Checksums);
        return loaded.Count;
    }

    [Benchmark(Baseline = true)]
    public int Open()
    {
        using var mapped = HnswIndex.Open(_file);
        return mapped.Count;
    }
}
