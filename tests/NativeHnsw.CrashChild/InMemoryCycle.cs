namespace NativeHnsw.CrashChild;

/// <summary>
/// A writable index (new, or loaded from a file) under one sequential adder (single adds, batches,
/// reservations: it grows many times), a replacer, a deleter, a saver and readers of every member.
/// </summary>
/// <remarks>
/// Labels say what may happen to them: label % 8 == 0 is deleted once and never returns, % 8 == 4
/// is deleted and restored at random, % 8 == 1 has its vector replaced by versions 1, 2, 3, … (each a
/// new vector: re-adding an identical one is not what this run measures), every other label keeps its
/// first vector and stays live. So any thread can check an answer.
/// </remarks>
internal sealed class InMemoryCycle : StressCycle
{
    private const int MaxLabels = 50_000;

    private readonly int _dims;
    private readonly DistanceMetric _metric;
    private readonly string _folder;
    private readonly long[] _deletedAt = new long[MaxLabels];
    private readonly int[] _replacing = new int[MaxLabels];
    private readonly int[] _replaced = new int[MaxLabels];
    private int _added;
    private int _issued;
    private long _sequence;
    private int _saves;

    private InMemoryCycle(HnswIndex index, int added, FailureLog failures, string name, string folder)
        : base(index, failures, name)
    {
        _dims = index.Dimensions;
        _metric = index.Metric;
        _folder = folder;
        _added = _issued = added;
        AddWorker("adder", Adder);
        AddWorker("replacer", Replacer);
        AddWorker("deleter", Deleter);
        AddWorker("saver", Saver);
        for (int i = 0; i < 3; i++)
            AddWorker($"reader{i}", Reader);
    }

    /// <summary>A new index, or (one time in three) one loaded from a file so the first add grows loaded blocks.</summary>
    public static InMemoryCycle Create(Random random, FailureLog failures, string name, string folder)
    {
        var options = RandomOptions(random);
        if (random.Next(3) != 0)
            return new InMemoryCycle(new HnswIndex(options), 0, failures, name, folder);
        int n = random.Next(1, 500);
        string path = Path.Combine(folder, name + ".seed.nhnsw");
        using (var built = new HnswIndex(options))
        {
            for (int label = 0; label < n; label++)
                built.Add(label, StressVectors.Of(label, 0, options.Dimensions));
            built.Save(path);
        }
        var loaded = HnswIndex.Load(path);
        File.Delete(path);
        return new InMemoryCycle(loaded, n, failures, name, folder);
    }

    private static bool IsPermanent(long label) => label % 8 is not 0 and not 4;

    private static int Permanent(int below) => 6 * (below / 8) + (below % 8) switch { 0 or 1 => 0, 2 => 1, 3 => 2, 4 or 5 => 3, 6 => 4, _ => 5 };

    private void Adder(Random random)
    {
        int next = Volatile.Read(ref _added);
        double p = random.NextDouble();
        if (next < MaxLabels - 64 && p < 0.75)
        {
            Issue(next + 1);
            if (Guarded("Add", () => Index.Add(next, StressVectors.Of(next, 0, _dims))))
                Volatile.Write(ref _added, next + 1);
        }
        else if (next < MaxLabels - 64 && p < 0.9)
        {
            // Now and then a batch large enough that a float32 index builds it on temporary int8 codes (1,024 rows and up).
            int n = next < MaxLabels - 1_200 && random.Next(40) == 0 ? 1_100 : random.Next(1, 65);
            var labels = new long[n];
            var vectors = new float[n * _dims];
            for (int i = 0; i < n; i++)
            {
                labels[i] = next + i;
                StressVectors.Fill(next + i, 0, vectors.AsSpan(i * _dims, _dims));
            }
            Issue(next + n);
            if (Guarded("AddRange", () => Index.AddRange(labels, vectors, random.Next(1, 3))))
                Volatile.Write(ref _added, next + n);
        }
        else
        {
            int nodes = Index.NodeCount + random.Next(4_000);
            Guarded("Reserve", () => Index.Reserve(nodes));
        }
    }

    /// <summary>
    /// Raises the bound of labels a search may return. Never lowers it: a batch that failed part-way (Dispose began
    /// during it) may have inserted some of its labels, and a search that started before the Dispose can still return them.
    /// </summary>
    private void Issue(int bound)
    {
        if (bound > _issued)
            Volatile.Write(ref _issued, bound);
    }

    private void Replacer(Random random)
    {
        int added = Volatile.Read(ref _added);
        // About one replacement per ten adds: each leaves a hidden node behind.
        if (added < 2 || random.Next(10) != 0)
        {
            Thread.Yield();
            return;
        }
        long label = random.Next(added / 8 + (added % 8 > 1 ? 1 : 0)) * 8L + 1;
        int version = _replacing[label] + 1;
        Volatile.Write(ref _replacing[label], version);
        if (Guarded("Add (replace)", () => Index.Add(label, StressVectors.Of(label, version, _dims))))
            Volatile.Write(ref _replaced[label], version);
    }

    private void Deleter(Random random)
    {
        int added = Volatile.Read(ref _added);
        if (random.Next(50) == 0)
        {
            long missing = -1 - random.Next(1000);
            Guarded("MarkDeleted (missing)", () => ExpectNotFound("MarkDeleted", missing, () => Index.MarkDeleted(missing)));
            Guarded("Unmark (missing)", () => ExpectNotFound("Unmark", missing, () => Index.Unmark(missing)));
            return;
        }
        if (added < 8)
            return;
        long label = random.Next(added / 8) * 8L + (random.Next(2) == 0 ? 0 : 4);
        if (label % 8 == 0)
        {
            if (Guarded("MarkDeleted", () => Index.MarkDeleted(label)))
                Volatile.Write(ref _deletedAt[label], Interlocked.Increment(ref _sequence));
        }
        else if (random.Next(2) == 0)
        {
            Guarded("MarkDeleted", () => Index.MarkDeleted(label));
        }
        else
        {
            Guarded("Unmark", () => Index.Unmark(label));
        }
    }

    private void Saver(Random random)
    {
        string path = Path.Combine(_folder, $"{Name}.{_saves++ % 2}.nhnsw");
        int before = Volatile.Read(ref _added);
        if (!Guarded("Save", () => Index.Save(path)))
            return;
        // The file is a snapshot taken after `before` labels were added: they are all in it.
        var verified = HnswIndex.Verify(path);
        if (verified.Count < Permanent(before))
            Fail($"the file saved after {before} adds holds {verified.Count} labels, fewer than the {Permanent(before)} never deleted");
        long probe = before == 0 ? -1 : random.Next(before);
        using (var loaded = random.Next(2) == 0 ? HnswIndex.Load(path) : HnswIndex.Open(path))
        {
            if (probe >= 0 && IsPermanent(probe) && !loaded.Contains(probe))
                Fail($"label {probe}, added before the save, is missing from the file ({(loaded.IsReadOnly ? "opened" : "loaded")})");
            if (loaded.Count != verified.Count)
                Fail($"the file verifies with {verified.Count} labels but {(loaded.IsReadOnly ? "opens" : "loads")} with {loaded.Count}");
            var hits = loaded.Search(StressVectors.Of(random.Next(before + 1), 0, _dims), 5);
            if (verified.Count > 0 && hits.Length == 0)
                Fail("a search of the saved file found nothing");
        }
    }

    private void Reader(Random random)
    {
        int added = Volatile.Read(ref _added);
        switch (random.Next(6))
        {
            case 0:
                Contains(random, added);
                break;
            case 1:
            case 2:
                GetVector(random, added);
                break;
            case 3:
            case 4:
                Search(random, added);
                break;
            default:
                Properties();
                break;
        }
    }

    private void Contains(Random random, int added)
    {
        long label = added == 0 || random.Next(10) == 0 ? -1 - random.Next(1000) : added - 1 - random.Next(Math.Min(added, 64));
        long sequence = Volatile.Read(ref _sequence);
        bool found = false;
        if (!Guarded("Contains", () => found = Index.Contains(label)))
            return;
        if (label < 0 && found)
            Fail($"Contains({label}) is true for a label never added");
        if (label >= 0 && IsPermanent(label) && !found)
            Fail($"Contains({label}) is false for a label added and never deleted");
        if (label >= 0 && label % 8 == 0 && found && DeletedBy(label, sequence))
            Fail($"Contains({label}) is true after MarkDeleted({label}) returned");
    }

    private void GetVector(Random random, int added)
    {
        if (added == 0 || random.Next(20) == 0)
        {
            long missing = -1 - random.Next(1000);
            Guarded("GetVector (missing)", () => ExpectNotFound("GetVector", missing, () => Index.GetVector(missing)));
            return;
        }
        long label = random.Next(added);
        int oldest = Volatile.Read(ref _replaced[label]);
        float[] vector = [];
        bool ok = random.Next(2) == 0
            ? Guarded("GetVector(label)", () => vector = Index.GetVector(label))
            : Guarded("GetVector(label, span)", () => Index.GetVector(label, vector = new float[_dims]));
        if (!ok)
            return;
        // The version current when the call began, or one whose replacement began before it returned.
        int newest = Volatile.Read(ref _replacing[label]);
        bool matches = false;
        for (int version = oldest; version <= newest && !matches; version++)
            matches = StressVectors.SameVector(StressVectors.Stored(label, version, _dims, _metric), vector);
        if (!matches)
            Fail($"GetVector({label}) returned [{string.Join(", ", vector)}], none of its vectors {oldest}..{newest}");
    }

    private void Search(Random random, int added)
    {
        var query = StressVectors.Of(random.Next(Math.Max(added, 1)), 0, _dims);
        long sequence = Volatile.Read(ref _sequence);
        if (!TrySearch(random, query, out var hits, out int k, out var filter))
            return;
        int issued = Volatile.Read(ref _issued);
        // Label 1 is never deleted and (unfiltered) always acceptable, so an index holding it answers something.
        CheckHits("Search", hits, k, filter, mustFind: filter is null && added >= 2, hit =>
        {
            if (hit.Label < 0 || hit.Label >= issued)
                return $"never added (labels are 0..{issued - 1})";
            if (hit.Label % 8 == 0 && DeletedBy(hit.Label, sequence))
                return "deleted before the search began";
            int newest = Volatile.Read(ref _replacing[hit.Label]);
            for (int version = 0; version <= newest; version++)
            {
                if (StressVectors.Close(StressVectors.Distance(_metric, query, StressVectors.Stored(hit.Label, version, _dims, _metric)), hit.Distance))
                    return null;
            }
            return "the distance is not the query's distance to any of the label's vectors";
        },
        // While a vector is being replaced both its nodes are live for a moment, so a search can meet the label twice.
        label => label % 8 == 1);
    }

    private void Properties()
    {
        int count = Index.Count;
        int nodes = Index.NodeCount;
        int capacity = Index.Capacity;
        if (count < 0 || count > nodes)
            Fail($"Count {count} is outside 0..NodeCount ({nodes})");
        if (nodes > capacity)
            Fail($"NodeCount {nodes} exceeds the Capacity {capacity} read after it");
        if (Index.MemoryBytes <= 0 || Index.Dimensions != _dims || Index.Metric != _metric || Index.Options.Dimensions != _dims || Index.IsReadOnly)
            Fail("a property of the index changed");
    }

    private bool DeletedBy(long label, long sequence)
    {
        long at = Volatile.Read(ref _deletedAt[label]);
        return at != 0 && at <= sequence;
    }

    private void ExpectNotFound(string member, long label, Action call)
    {
        try
        {
            call();
            Fail($"{member}({label}) returned for a label never added");
        }
        catch (LabelNotFoundException e) when (e.Label == label)
        {
        }
    }
}
