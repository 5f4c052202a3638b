using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// Mutated index files with their checksums recomputed, so the graph rules and not the checksums
/// decide: Load and Verify must accept exactly the files that <see cref="FormatSpec"/> (an independent
/// reading of docs/FORMAT.md) accepts, reject the others with <see cref="IndexFormatException"/> and
/// nothing else; Open must accept exactly the files whose header is valid, and its searches and lookups
/// must never crash; a file that loads must save again into a file the spec accepts.
/// </summary>
/// <remarks>
/// 20,000 cases by default (set NHNSW_FUZZ_CASES for more), seeded from NHNSW_FUZZ_SEED or a fixed seed;
/// case i uses seed + i, and a failure names the case's seed so it replays alone (NHNSW_FUZZ_CASES=1).
/// </remarks>
public sealed class SpecFuzzProperties : IDisposable
{
    private const int DefaultCases = 20_000;
    private const int DefaultSeed = 20_261_201;

    private static readonly Lazy<byte[][]> s_bases = new(BuildBases);
    private readonly TempDirectory _folder = new();

    private enum Mutation
    {
        FlipBit,
        FlipSectionBit,
        SectionInt,
        HeaderField,
        VectorComponent,
        State,
        Swap,
        Padding,
        Length,
        Level0Slot,
        Label,
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ResealedMutations_LoadAndVerifyAgreeWithTheSpec_OpenNeverCrashes()
    {
        int cases = Setting("NHNSW_FUZZ_CASES", DefaultCases);
        int seed = Setting("NHNSW_FUZZ_SEED", DefaultSeed);
        var bases = s_bases.Value;
        foreach (var valid in bases)
            Assert.Equal(FormatSpec.Verdict.Valid, FormatSpec.Check(valid).Verdict);

        var failures = new ConcurrentQueue<string>();
        var reasons = new ConcurrentDictionary<string, int>();
        Parallel.For(0, cases, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            if (failures.Count >= 5)
                return;
            int caseSeed = unchecked(seed + i);
            try
            {
                string reason = RunCase(bases, caseSeed);
                reasons.AddOrUpdate(reason, 1, (_, c) => c + 1);
            }
            catch (Exception e)
            {
                failures.Enqueue($"seed {caseSeed}: {e.GetType().Name}: {e.Message}");
            }
        });
        string summary = string.Join(", ", reasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value}"));
        TestContext.Current.SendDiagnosticMessage($"{cases} cases from seed {seed}: {summary}");
        Assert.True(failures.IsEmpty, $"seed {seed}, {cases} cases; failures:\n{string.Join('\n', failures)}");
        if (cases >= DefaultCases)
        {
            // The mutations must reach the rules, not stop at the header: each of these was decided at least once.
            foreach (string rule in new[] { "valid", "level-0 slot", "upper slot", "cosine row not unit length", "non-finite component",
                         "superseded label not indexed", "label index order", "state counts", "pool size", "padding", "entry point" })
                Assert.True(reasons.ContainsKey(rule), $"no case was decided by '{rule}': {summary}");
        }
    }

    /// <summary>One mutated file through Load, Verify and Open; returns the spec's reason for the verdict.</summary>
    private string RunCase(byte[][] bases, int seed)
    {
        var random = new Random(seed);
        var bytes = Mutate((byte[])bases[random.Next(bases.Length)].Clone(), random);
        var spec = FormatSpec.Check(bytes);
        string path = _folder.File($"case-{seed.ToString(CultureInfo.InvariantCulture)}.nhnsw");
        File.WriteAllBytes(path, bytes);
        try
        {
            bool loaded = Accepts(() =>
            {
                using var index = HnswIndex.Load(path);
                string again = path + ".again";
                index.Save(again);
                var resaved = FormatSpec.Check(File.ReadAllBytes(again));
                File.Delete(again);
                if (resaved.Verdict == FormatSpec.Verdict.Invalid)
                    throw new InvalidOperationException($"a loaded file saved again breaks the spec: {resaved.Reason}");
            });
            bool verified = Accepts(() => HnswIndex.Verify(path));
            if (loaded != verified)
                throw new InvalidOperationException($"Load {(loaded ? "accepts" : "rejects")} but Verify {(verified ? "accepts" : "rejects")} (spec: {spec.Reason})");
            if (spec.Verdict != FormatSpec.Verdict.Either && loaded != (spec.Verdict == FormatSpec.Verdict.Valid))
                throw new InvalidOperationException($"Load {(loaded ? "accepts" : "rejects")} a file the spec finds {spec.Reason}");
            bool opened = Accepts(() => HnswIndex.Open(path).Dispose());
            if (opened != spec.HeaderValid)
                throw new InvalidOperationException($"Open {(opened ? "accepts" : "rejects")} a file whose header the spec finds {(spec.HeaderValid ? "valid" : spec.Reason)}");
            if (opened)
                DamagedFileProperties.ExerciseMapped(path, random);
        }
        finally
        {
            File.Delete(path);
        }
        return spec.Reason;
    }

    /// <summary>True when the action succeeds, false when it throws <see cref="IndexFormatException"/>; anything else propagates.</summary>
    private static bool Accepts(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (IndexFormatException)
        {
            return false;
        }
    }

    private static byte[] Mutate(byte[] f, Random random)
    {
        int edits = random.Next(4) == 0 ? 2 : 1;
        var kinds = Enum.GetValues<Mutation>();
        for (int e = 0; e < edits; e++)
        {
            try
            {
                f = Apply(f, kinds[random.Next(kinds.Length)], random);
            }
            catch (Exception x) when (x is ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
            {
                // A first edit broke the section table this one navigates by: the file stays as the first edit left it.
            }
        }
        if (random.Next(10) != 0)
            FileCraft.Reseal(f);
        return f;
    }

    private static byte[] Apply(byte[] f, Mutation mutation, Random random)
    {
        var sections = FileCraft.Sections(f);
        var section = sections[random.Next(sections.Length)];
        int n = FileCraft.ReadInt32(f, 48), m = FileCraft.ReadInt32(f, 28), dims = FileCraft.ReadInt32(f, 24);
        switch (mutation)
        {
            case Mutation.FlipBit:
            {
                int bit = random.Next(f.Length * 8);
                f[bit / 8] ^= (byte)(1 << (bit % 8));
                return f;
            }
            case Mutation.FlipSectionBit when section.Length > 0:
            {
                long bit = random.NextInt64(section.Length * 8);
                f[section.Offset + bit / 8] ^= (byte)(1 << (int)(bit % 8));
                return f;
            }
            case Mutation.SectionInt when section.Length >= 4:
                FileCraft.WriteInt32(f, section.Offset + 4 * random.NextInt64(section.Length / 4), Interesting(random, n, m));
                return f;
            case Mutation.HeaderField:
            {
                int at = 12 + 4 * random.Next((96 - 12) / 4);
                if (at is 64 or 80 && random.Next(2) == 0)
                    FileCraft.WriteInt64(f, at, at == 80 ? f.Length + random.Next(-2, 3) : FileCraft.ReadInt64(f, 64) + random.Next(-2, 3));
                else
                    FileCraft.WriteInt32(f, at, random.Next(3) == 0 ? FileCraft.ReadInt32(f, at) + random.Next(-2, 3) : Interesting(random, n, m));
                return f;
            }
            case Mutation.VectorComponent when n > 0:
            {
                var vectors = FileCraft.Find(f, 1);
                int row = random.Next(n);
                long at = vectors.Offset + 4L * ((long)row * dims + random.Next(dims));
                float x = BinaryPrimitives.ReadSingleLittleEndian(f.AsSpan((int)at));
                float[] choices = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, float.MaxValue, -x,
                    x * (1 + 1e-6f), x * (1 + 1e-4f), x * (1 + 5e-4f), x * (1 + 2e-3f), x * 2, x + 0.01f, float.Epsilon];
                float value = choices[random.Next(choices.Length)];
                if (random.Next(4) == 0)
                {
                    // The whole row scaled: the squared length moves by scale² while every component stays finite.
                    float scale = random.Next(3) switch { 0 => 0f, 1 => 1 + (float)(random.NextDouble() - 0.5) * 2e-3f, _ => 1.01f };
                    for (int c = 0; c < dims; c++)
                    {
                        long ca = vectors.Offset + 4L * ((long)row * dims + c);
                        BinaryPrimitives.WriteSingleLittleEndian(f.AsSpan((int)ca), BinaryPrimitives.ReadSingleLittleEndian(f.AsSpan((int)ca)) * scale);
                    }
                    return f;
                }
                BinaryPrimitives.WriteSingleLittleEndian(f.AsSpan((int)at), value);
                return f;
            }
            case Mutation.State when n > 0:
                f[FileCraft.Find(f, 6).Offset + random.Next(n)] = (byte)random.Next(4);
                return f;
            case Mutation.Swap when section.Length >= 16:
            {
                int width = section.Id == 5 ? 8 : 4;
                long count = section.Length / width;
                long a = section.Offset + width * random.NextInt64(count), b = section.Offset + width * random.NextInt64(count);
                var tmp = f.AsSpan((int)a, width).ToArray();
                f.AsSpan((int)b, width).CopyTo(f.AsSpan((int)a, width));
                tmp.CopyTo(f.AsSpan((int)b, width));
                return f;
            }
            case Mutation.Padding:
            {
                var gaps = new List<(long From, long To)>();
                long previous = FileCraft.HeaderSize(f);
                foreach (var s in sections.OrderBy(s => s.Offset))
                {
                    if (s.Offset > previous)
                        gaps.Add((previous, s.Offset));
                    previous = s.Offset + s.Length;
                }
                if (gaps.Count == 0)
                    return f;
                var gap = gaps[random.Next(gaps.Count)];
                f[random.NextInt64(gap.From, gap.To)] = (byte)random.Next(1, 256);
                return f;
            }
            case Mutation.Length:
            {
                int delta = random.Next(1, 65);
                var resized = random.Next(2) == 0 ? f[..^Math.Min(delta, f.Length - 1)] : [.. f, .. new byte[delta]];
                if (random.Next(2) == 0)
                    FileCraft.WriteInt64(resized, 80, resized.Length);
                return resized;
            }
            case Mutation.Level0Slot when n > 0:
            {
                var links0 = FileCraft.Find(f, 2);
                int stride = 1 + 2 * m;
                long slot = links0.Offset + 4L * stride * random.Next(n);
                int count = FileCraft.ReadInt32(f, slot);
                if (random.Next(2) == 0)
                    FileCraft.WriteInt32(f, slot, count + (random.Next(2) == 0 ? 1 : -1));
                else
                    FileCraft.WriteInt32(f, slot + 4L * random.Next(1, stride), random.Next(n));
                return f;
            }
            case Mutation.Label when n > 0:
            {
                var labels = FileCraft.Find(f, 5);
                int node = random.Next(n);
                long value = random.Next(3) switch
                {
                    0 => FileCraft.ReadInt64(f, labels.Offset + 8L * random.Next(n)),
                    1 => FileCraft.ReadInt64(f, labels.Offset + 8L * node) + random.Next(-1, 2),
                    _ => random.NextInt64(),
                };
                FileCraft.WriteInt64(f, labels.Offset + 8L * node, value);
                return f;
            }
            default:
                return Apply(f, Mutation.FlipBit, random);
        }
    }

    private static int Interesting(Random random, int n, int m)
    {
        int[] values = [0, 1, -1, -2, 2, n - 1, n, n + 1, m, 2 * m, 2 * m + 1, 63, 64, int.MaxValue, int.MinValue, 1 << 16];
        return random.Next(4) == 0 ? random.Next(Math.Max(n, 1)) : values[random.Next(values.Length)];
    }

    /// <summary>Small indexes of every metric, with deleted and superseded nodes, one with an implicit label index, and an empty one.</summary>
    private static byte[][] BuildBases()
    {
        IndexSpec[] specs =
        [
            new(8, 200, DistanceMetric.L2, M: 4, EfConstruction: 20, DefaultEf: 16, DeleteFraction: 0.2, ReplaceFraction: 0.2, RandomLabels: true, Threads: 1, Seed: 11),
            new(6, 200, DistanceMetric.Cosine, M: 3, EfConstruction: 20, DefaultEf: 16, DeleteFraction: 0.1, ReplaceFraction: 0.3, RandomLabels: false, Threads: 1, Seed: 12),
            new(5, 60, DistanceMetric.InnerProduct, M: 2, EfConstruction: 12, DefaultEf: 8, DeleteFraction: 0.5, ReplaceFraction: 0.1, RandomLabels: true, Threads: 1, Seed: 13),
            new(4, 0, DistanceMetric.L2, M: 2, EfConstruction: 8, DefaultEf: 8, DeleteFraction: 0, ReplaceFraction: 0, RandomLabels: false, Threads: 1, Seed: 14),
            // Ascending labels, none replaced: a 1.2 file whose label index is implicit.
            new(7, 150, DistanceMetric.L2, M: 3, EfConstruction: 16, DefaultEf: 8, DeleteFraction: 0.2, ReplaceFraction: 0, RandomLabels: false, Threads: 1, Seed: 15),
        ];
        using var folder = new TempDirectory();
        return [.. specs.Select((spec, i) =>
        {
            using var index = spec.Build();
            string path = folder.File($"base-{i}.nhnsw");
            index.Save(path);
            return File.ReadAllBytes(path);
        })];
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;
}
