namespace NativeHnsw.CrashChild;

/// <summary>
/// A memory-mapped index (<see cref="HnswIndex.Open"/>) of a file whose contents are known exactly,
/// under readers of every member, a thread whose changes must all be refused, and a saver that
/// re-saves it (over its own mapped file too), verifies, loads and opens the copies.
/// </summary>
/// <remarks>Labels 0..n−1; label % 8 == 0 is deleted, label % 16 == 1 has its vector replaced by version 1.</remarks>
internal sealed class MappedCycle : StressCycle
{
    private readonly int _dims;
    private readonly DistanceMetric _metric;
    private readonly int _labels;
    private readonly int _count;
    private readonly int _nodes;
    private readonly string _path;
    private readonly string _copy;

    private MappedCycle(HnswIndex index, int labels, int count, int nodes, FailureLog failures, string name, string path, string copy)
        : base(index, failures, name)
    {
        _dims = index.Dimensions;
        _metric = index.Metric;
        _labels = labels;
        _count = count;
        _nodes = nodes;
        _path = path;
        _copy = copy;
        AddWorker("changer", Changer);
        AddWorker("saver", Saver);
        for (int i = 0; i < 3; i++)
            AddWorker($"reader{i}", Reader);
    }

    public static MappedCycle Create(Random random, FailureLog failures, string name, string folder)
    {
        var options = RandomOptions(random);
        int n = random.Next(16, 3_000);
        int replaced = 0, deleted = 0;
        string path = Path.Combine(folder, name + ".nhnsw");
        using (var built = new HnswIndex(options))
        {
            for (int label = 0; label < n; label++)
                built.Add(label, StressVectors.Of(label, 0, options.Dimensions));
            for (int label = 1; label < n; label += 16, replaced++)
                built.Add(label, StressVectors.Of(label, 1, options.Dimensions));
            for (int label = 0; label < n; label += 8, deleted++)
                built.MarkDeleted(label);
            built.Save(path);
        }
        return new MappedCycle(HnswIndex.Open(path), n, n - deleted, n + replaced, failures, name, path, Path.Combine(folder, name + ".copy.nhnsw"));
    }

    private static int VersionOf(long label) => label % 16 == 1 ? 1 : 0;

    private void Reader(Random random)
    {
        long label = random.Next(10) == 0 ? _labels + random.Next(1000) : random.Next(_labels);
        switch (random.Next(5))
        {
            case 0:
                bool found = false;
                if (Guarded("Contains", () => found = Index.Contains(label)) && found != (label < _labels && label % 8 != 0))
                    Fail($"Contains({label}) answered {found}");
                break;
            case 1:
                GetVector(random, label);
                break;
            case 2:
            case 3:
                Search(random);
                break;
            default:
                if (Index.Count != _count || Index.NodeCount != _nodes || !Index.IsReadOnly || Index.Capacity < _nodes || Index.MemoryBytes <= 0
                    || Index.Dimensions != _dims || Index.Metric != _metric)
                    Fail($"the properties changed: Count {Index.Count} (file: {_count}), NodeCount {Index.NodeCount} (file: {_nodes}), IsReadOnly {Index.IsReadOnly}");
                break;
        }
    }

    private void GetVector(Random random, long label)
    {
        float[] vector = new float[_dims];
        bool ok = Guarded("GetVector", () =>
        {
            try
            {
                if (random.Next(2) == 0)
                    vector = Index.GetVector(label);
                else
                    Index.GetVector(label, vector);
                if (label >= _labels)
                    Fail($"GetVector({label}) returned for a label not in the file");
            }
            catch (LabelNotFoundException) when (label >= _labels)
            {
            }
        });
        if (ok && label < _labels && !StressVectors.SameVector(StressVectors.Stored(label, VersionOf(label), _dims, _metric), vector))
            Fail($"GetVector({label}) returned [{string.Join(", ", vector)}], not its vector");
    }

    private void Search(Random random)
    {
        var query = StressVectors.Of(random.Next(_labels), random.Next(2), _dims);
        if (!TrySearch(random, query, out var hits, out int k, out var filter))
            return;
        CheckHits("Search", hits, k, filter, mustFind: filter is null, hit =>
        {
            if (hit.Label < 0 || hit.Label >= _labels)
                return "not in the file";
            if (hit.Label % 8 == 0)
                return "deleted in the file";
            var stored = StressVectors.Stored(hit.Label, VersionOf(hit.Label), _dims, _metric);
            return StressVectors.Close(StressVectors.Distance(_metric, query, stored), hit.Distance) ? null : "the distance is not the query's distance to the label's vector";
        },
        _ => false);
    }

    private void Changer(Random random)
    {
        var vector = StressVectors.Of(random.Next(), 0, _dims);
        Action change = random.Next(6) switch
        {
            0 => () => Index.Add(_labels, vector),
            1 => () => Index.AddRange(new long[] { _labels }, vector),
            2 => () => Index.MarkDeleted(1),
            3 => () => Index.Unmark(0),
            4 => () => Index.Reserve(_nodes + 100),
            _ => () => Index.Add(2, vector),
        };
        Guarded("a change", () =>
        {
            try
            {
                change();
                Fail("a change to a read-only index was accepted");
            }
            catch (NotSupportedException)
            {
            }
        });
    }

    private void Saver(Random random)
    {
        // Saving over the file it maps: the new file replaces the name, the mapping keeps the old one.
        string target = random.Next(3) == 0 ? _path : _copy;
        if (!Guarded("Save", () => Index.Save(target)))
            return;
        var verified = HnswIndex.Verify(target);
        if (verified.Count != _count || verified.NodeCount != _nodes)
            Fail($"the saved copy verifies with {verified.Count} labels and {verified.NodeCount} nodes, the file has {_count} and {_nodes}");
        using var again = random.Next(2) == 0 ? HnswIndex.Load(target) : HnswIndex.Open(target);
        long label = random.Next(_labels);
        if (again.Count != _count || again.Contains(label) != (label % 8 != 0))
            Fail($"the saved copy answers Count {again.Count} and Contains({label}) {again.Contains(label)}");
    }
}
