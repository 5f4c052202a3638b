using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using NativeHnsw.Tests.Storage;

namespace NativeHnsw.Tests.Interchange;

/// <summary>
/// Mutated hnswlib and FAISS files (from our exports and the real libraries' fixtures): every one either imports
/// into an index that keeps all of our graph rules (<see cref="HnswIndex.CheckInvariants"/>) and searches, or is
/// refused with <see cref="IndexFormatException"/> naming a field and an offset inside the file; never another
/// exception, a crash or a hang. And for random indexes, export then import gives the same graph link for link.
/// </summary>
/// <remarks>
/// 10,000 cases per format by default (NHNSW_FUZZ_CASES for more), seeded from NHNSW_FUZZ_SEED or a fixed seed;
/// case i uses seed + i, and a failure names the case's seed so it replays alone.
/// </remarks>
public sealed class InterchangeFuzzProperties : IDisposable
{
    private const int DefaultCases = 10_000;
    private const int DefaultSeed = 16_016;

    private static readonly Lazy<Base[]> s_hnswlibBases = new(() => Bases(hnswlib: true));
    private static readonly Lazy<Base[]> s_faissBases = new(() => Bases(hnswlib: false));
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void MutatedHnswlibFiles_ImportValidOrThrowIndexFormatException() => Fuzz(s_hnswlibBases.Value, hnswlib: true);

    [Fact]
    public void MutatedFaissFiles_ImportValidOrThrowIndexFormatException() => Fuzz(s_faissBases.Value, hnswlib: false);

    [Fact]
    public void RandomIndexes_ExportImport_SameGraphInBothFormats()
    {
        int seed = Setting("NHNSW_FUZZ_SEED", DefaultSeed);
        for (int i = 0; i < 24; i++)
        {
            var random = new Random(seed + i);
            var metric = (DistanceMetric)random.Next(3);
            int m = random.Next(2, 33), dims = random.Next(1, 20), count = random.Next(0, 400);
            using var index = new HnswIndex(new HnswOptions { Dimensions = dims, Metric = metric, M = m, EfConstruction = random.Next(8, 80), DefaultEf = random.Next(1, 200), Seed = (ulong)(seed + i) });
            var data = Datasets.Gaussian(count, dims, seed + i);
            for (int r = 0; r < count; r++)
                index.Add(random.Next(0, count * 2 + 1), data.AsSpan(r * dims, dims));
            string context = $"seed {seed + i}: {metric}, M {m}, {dims} dims, {count} adds";
            string faiss = _folder.File($"p{i}.faiss");
            index.ExportFaiss(faiss);
            using (var fromFaiss = HnswIndex.ImportFaiss(faiss, metric == DistanceMetric.Cosine ? DistanceMetric.Cosine : null))
            {
                if (index.NodeCount == index.Count)
                {
                    SameGraph(index, fromFaiss, context);
                }
                else
                {
                    // Superseded nodes are left out (FAISS has no delete marks): the live ones, every rule kept.
                    Assert.True(index.Count == fromFaiss.NodeCount, context);
                    fromFaiss.CheckInvariants();
                }
            }
            for (int r = 0; r < count / 10; r++)
                index.MarkDeleted(index.DescribeNode(random.Next(index.NodeCount)).Label);
            string hnswlib = _folder.File($"p{i}.hnswlib");
            index.ExportHnswlib(hnswlib);
            using var fromHnswlib = HnswIndex.ImportHnswlib(hnswlib, metric, index.Options.DefaultEf);
            SameGraph(index, fromHnswlib, context);
        }
    }

    private static void SameGraph(HnswIndex expected, HnswIndex actual, string context)
    {
        try
        {
            GraphAssert.SameGraph(expected, actual, compareOptions: false);
            actual.CheckInvariants();
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{context}: {e.Message}");
        }
    }

    private void Fuzz(Base[] bases, bool hnswlib)
    {
        int cases = Setting("NHNSW_FUZZ_CASES", DefaultCases);
        int seed = Setting("NHNSW_FUZZ_SEED", DefaultSeed);
        foreach (var b in bases)
            Assert.Equal("imported", RunCase(b, b.Bytes, _folder.File($"base-{Guid.NewGuid():N}"), hnswlib));
        var failures = new ConcurrentQueue<string>();
        var outcomes = new ConcurrentDictionary<string, int>();
        Parallel.For(0, cases, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, () => _folder.File($"case-{Guid.NewGuid():N}"), (i, _, path) =>
        {
            if (failures.Count >= 5)
                return path;
            int caseSeed = unchecked(seed + i);
            var random = new Random(caseSeed);
            var b = bases[random.Next(bases.Length)];
            try
            {
                string outcome = RunCase(b, Mutate(b.Bytes, random), path, hnswlib);
                outcomes.AddOrUpdate(outcome, 1, (_, c) => c + 1);
            }
            catch (Exception e)
            {
                failures.Enqueue($"seed {caseSeed} (base {b.Name}): {e.GetType().Name}: {e.Message}");
            }
            return path;
        }, _ => { });
        string summary = string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}"));
        TestContext.Current.SendDiagnosticMessage($"{cases} cases from seed {seed}: {summary}");
        Assert.True(failures.IsEmpty, $"seed {seed}, {cases} cases; failures:\n{string.Join('\n', failures)}");
        if (cases >= DefaultCases)
        {
            // The mutations reach past the header: files were imported, and refused in the links and in the vectors.
            Assert.True(outcomes.ContainsKey("imported"), summary);
            Assert.True(outcomes.Keys.Count(k => k.StartsWith("refused", StringComparison.Ordinal)) >= 6, summary);
        }
    }

    /// <summary>Imports one file: "imported" (the result checked) or "refused: field" (an IndexFormatException that names it); anything else throws.</summary>
    private static string RunCase(Base b, byte[] bytes, string path, bool hnswlib)
    {
        File.WriteAllBytes(path, bytes);
        HnswIndex index;
        try
        {
            index = hnswlib ? HnswIndex.ImportHnswlib(path, b.Metric) : HnswIndex.ImportFaiss(path, b.Metric == DistanceMetric.Cosine ? DistanceMetric.Cosine : null);
        }
        catch (IndexFormatException e)
        {
            if (e.Section is null || e.Offset < -1 || e.Offset > bytes.Length)
                throw new InvalidOperationException($"refusal without a field or with an offset outside the file: {e.Message}");
            return "refused: " + e.Section;
        }
        using (index)
        {
            index.CheckInvariants();
            if (index.NodeCount > 0)
            {
                var query = new float[index.Dimensions];
                query.AsSpan().Fill(1f);
                index.Search(query, 5, 20);
            }
        }
        return "imported";
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        int kind = random.Next(8);
        switch (kind)
        {
            case 0:   // one bit anywhere
                int bit = random.Next(bytes.Length * 8);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                return bytes;
            case 1:   // an interesting 64-bit value in the header region
                Word64(bytes, random.Next(0, Math.Min(bytes.Length, 160) / 4) * 4, random);
                return bytes;
            case 2:   // an interesting 32-bit value anywhere (counts, links, levels, offsets)
                Word32(bytes, random.Next(bytes.Length / 4) * 4, random);
                return bytes;
            case 3:   // truncated
                return bytes[..random.Next(bytes.Length)];
            case 4:   // trailing bytes
                return [.. bytes, .. new byte[random.Next(1, 64)]];
            case 5:   // a run of bytes cut out of the middle
                int from = random.Next(bytes.Length), length = random.Next(1, Math.Min(64, bytes.Length - from) + 1);
                return [.. bytes[..from], .. bytes[(from + length)..]];
            case 6:   // several 32-bit values
                for (int i = 0; i < 4; i++)
                    Word32(bytes, random.Next(bytes.Length / 4) * 4, random);
                return bytes;
            default:  // a float component turned non-finite or huge
                int at = random.Next(bytes.Length / 4) * 4;
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), random.Next(3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => 3e38f });
                return bytes;
        }
    }

    private static void Word32(byte[] bytes, int at, Random random)
    {
        if (at + 4 > bytes.Length)
            return;
        int value = random.Next(7) switch
        {
            0 => 0,
            1 => -1,
            2 => int.MaxValue,
            3 => int.MinValue,
            4 => random.Next(-3, 70),
            5 => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)) + random.Next(-2, 3),
            _ => random.Next(),
        };
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), value);
    }

    private static void Word64(byte[] bytes, int at, Random random)
    {
        if (at + 8 > bytes.Length)
            return;
        long value = random.Next(6) switch
        {
            0 => 0,
            1 => -1,
            2 => long.MaxValue,
            3 => 1L << random.Next(63),
            4 => random.Next(-3, 70),
            _ => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at)) + random.Next(-2, 3),
        };
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at), value);
    }

    private static Base[] Bases(bool hnswlib)
    {
        using var folder = new TempDirectory();
        var bases = new List<Base>();
        foreach (var (metric, m, count, dims) in new[] { (DistanceMetric.L2, 4, 80, 3), (DistanceMetric.InnerProduct, 2, 60, 5), (DistanceMetric.Cosine, 7, 90, 4), (DistanceMetric.L2, 3, 1, 2), (DistanceMetric.L2, 5, 0, 2) })
        {
            using var index = HnswlibInterchangeTests.Build(metric, m, count, dims, seed: m * 31 + count);
            if (hnswlib && count > 10)
            {
                index.MarkDeleted(1);
                index.Add(2, Datasets.Gaussian(1, dims, seed: 3));
            }
            string path = folder.File($"{metric}-{m}");
            if (hnswlib)
                index.ExportHnswlib(path);
            else
                index.ExportFaiss(path);
            bases.Add(new Base($"{metric} M{m} n{count}", File.ReadAllBytes(path), metric));
        }
        foreach (var (name, metric) in hnswlib
                     ? new[] { ("hnswlib-0.6.2-l2-m6", DistanceMetric.L2), ("hnswlib-0.6.2-ip-m5", DistanceMetric.InnerProduct) }
                     : [("faiss-1.7.3-idmap-l2-m6", DistanceMetric.L2), ("faiss-1.7.3-idmap-ip-m5", DistanceMetric.InnerProduct)])
            bases.Add(new Base(name, File.ReadAllBytes(FixtureTests.Fixture(name + ".bin")), metric));
        return [.. bases];
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;

    private sealed record Base(string Name, byte[] Bytes, DistanceMetric Metric);
}
