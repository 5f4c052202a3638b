using BenchmarkDotNet.Attributes;
using NativeHnsw.Data;
using NativeHnsw.Storage;

namespace NativeHnsw.Bench.Micro;

/// <summary>
/// One-record commits into a store (Durability.Process, so no fsync: the statements' own cost shows), with the
/// shipping log off and on (enabled, no shipper): a metadata-only update, which runs the SQL of a commit and no index
/// work, and an add, which also inserts into the graph (8 dimensions, so the graph's share stays small). The harness's
/// `store` mode measures the same commits at realistic sizes.
/// </summary>
[MemoryDiagnoser]
public class StoreCommitBenchmarks
{
    private const int Dims = 8;
    private const int Records = 1_000;
    private string _folder = "";
    private PersistentClient _client = null!;
    private Collection _collection = null!;
    private float[] _vectors = [];
    private readonly string[] _one = ["r0"];
    private readonly Dictionary<string, object?>[] _metadata = [new() { ["v"] = 0L }];
    private long _version;
    private int _added;

    /// <summary>The shipping log enabled (as a shipper would leave it), with no shipper draining it.</summary>
    [Params(false, true)]
    public bool ShippingLog { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("nhnsw-bdn-store-").FullName;
        _client = new PersistentClient(_folder, new StoreOptions
        {
            Durability = Durability.Process,
            Checkpoints = new CheckpointPolicy { EveryChanges = 0, Interval = null, OnDispose = false },
            Log = _ => { },
        });
        _collection = _client.CreateCollection("c", new CollectionOptions { Dimensions = Dims, M = 8, EfConstruction = 40 });
        _vectors = SyntheticVectors.Gaussian(Records + 1_000_000, Dims, seed: 5);
        var ids = Enumerable.Range(0, Records).Select(i => "r" + i).ToArray();
        var rows = Enumerable.Range(0, Records).Select(i => _vectors.AsSpan(i * Dims, Dims).ToArray()).ToArray();
        _collection.Add(ids, rows, metadatas: [.. ids.Select(_ => (IReadOnlyDictionary<string, object?>?)new Dictionary<string, object?> { ["v"] = 0L })]);
        if (ShippingLog)
        {
            using var feed = ChangeFeed.Open(_folder);
            feed.Enable();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A commit that changes one record's metadata: the look-up, the update, its metadata rows, the log entry.</summary>
    [Benchmark]
    public void UpdateMetadata()
    {
        _metadata[0]["v"] = ++_version;
        _collection.Update(_one, metadatas: _metadata);
    }

    /// <summary>A commit that adds one record: the SQL of an insert and the graph insert of an 8-dimensional vector.</summary>
    [Benchmark]
    public void AddOne()
    {
        int i = Records + (_added++ % 1_000_000);
        _collection.Add("n" + _added, _vectors.AsSpan(i * Dims, Dims).ToArray());
    }
}
