using FsCheck;
using FsCheck.Fluent;
using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// Thousands of damaged files: truncations, bit flips, byte overwrites and random bytes. Load and
/// Verify must always throw <see cref="IndexFormatException"/>; Open must either throw it or give an
/// index whose searches and lookups terminate without reading outside the mapping (an access
/// violation would kill the test process) and without any other exception type.
/// </summary>
public sealed class DamagedFileProperties : IDisposable
{
    internal const int Dims = 6;
    /// <summary>The index every damaged file here (and in <see cref="LoadCheckTests"/>) starts from.</summary>
    internal static readonly IndexSpec Spec = new(Dims, 150, DistanceMetric.L2, M: 3, EfConstruction: 20, DefaultEf: 20,
        DeleteFraction: 0.2, ReplaceFraction: 0.2, RandomLabels: true, Threads: 1, Seed: 5);
    private static readonly long[] s_labels = Spec.Labels();
    private static readonly Lazy<byte[]> s_valid = new(BuildValid);
    private readonly TempDirectory _folder = new();

    public enum Damage
    {
        Truncate,
        FlipBit,
        Overwrite,
        RandomBytes,
        RandomAfterHeader,
    }

    public void Dispose() => _folder.Dispose();

    [FsCheck.Xunit.Property(MaxTest = 2_000)]
    public Property DamagedFile_LoadAndVerifyThrow_OpenThrowsOrStaysSafe()
    {
        var gen = from damage in Gen.Elements(Enum.GetValues<Damage>())
                  from seed in Gen.Choose(0, int.MaxValue)
                  select (damage, seed);
        return Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var valid = s_valid.Value;
            var bytes = Mutate(valid, input.damage, new Random(input.seed));
            if (bytes.AsSpan().SequenceEqual(valid))
                return true;
            string path = _folder.File($"damaged-{input.damage}-{input.seed}.nhnsw");
            File.WriteAllBytes(path, bytes);
            try
            {
                AssertFormatException(() => HnswIndex.Load(path).Dispose(), path, input);
                AssertFormatException(() => HnswIndex.Verify(path), path, input);
                ExerciseMapped(path, new Random(input.seed));
            }
            finally
            {
                File.Delete(path);
            }
            return true;
        });
    }

    [Fact]
    public void ValidFile_LoadsVerifiesAndOpens()
    {
        using var folder = new TempDirectory();
        string path = folder.File("valid.nhnsw");
        File.WriteAllBytes(path, s_valid.Value);
        using var loaded = HnswIndex.Load(path);
        using var mapped = HnswIndex.Open(path);
        Assert.Equal(loaded.Count, mapped.Count);
        Assert.Equal(loaded.Count, HnswIndex.Verify(path).Count);
    }

    public static TheoryData<string> CosineRows() => new() { "zero", "max", "double", "half" };

    [Theory]
    [MemberData(nameof(CosineRows))]
    public void CosineRowNotUnitLength_ChecksumsRecomputed_LoadAndVerifyReject(string row)
    {
        var bytes = Golden();
        int dims = BitConverter.ToInt32(bytes, 24);
        var vectors = FileCraft.Find(bytes, 1);
        long at = vectors.Offset + 17L * dims * sizeof(float);
        for (int i = 0; i < dims; i++)
        {
            float value = BitConverter.ToSingle(bytes, (int)at + i * 4);
            value = row switch { "zero" => 0f, "max" => float.MaxValue, "double" => 2 * value, _ => value / 2 };
            BitConverter.TryWriteBytes(bytes.AsSpan((int)at + i * 4), value);
        }
        FileCraft.Reseal(bytes);
        var e = AssertRejected(bytes, "row-" + row);
        Assert.Equal("vectors", e.Section);
        Assert.Contains("node 17's vector has squared length", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CosineRowWithinTolerance_IsAccepted()
    {
        var bytes = Golden();
        var vectors = FileCraft.Find(bytes, 1);
        // One component nudged by 1e-5: the squared length moves by far less than the 1e-3 tolerance.
        float value = BitConverter.ToSingle(bytes, (int)vectors.Offset);
        BitConverter.TryWriteBytes(bytes.AsSpan((int)vectors.Offset), value + 1e-5f);
        FileCraft.Reseal(bytes);
        string path = _folder.File("nudged.nhnsw");
        File.WriteAllBytes(path, bytes);
        using var loaded = HnswIndex.Load(path);
        _ = HnswIndex.Verify(path);
    }

    [Fact]
    public void UnusedLevel0SlotNotZero_ChecksumsRecomputed_LoadAndVerifyReject()
    {
        var bytes = Golden();
        int m0 = 2 * BitConverter.ToInt32(bytes, 28);
        var links0 = FileCraft.Find(bytes, 2);
        int stride = 1 + m0;
        int node = Enumerable.Range(0, BitConverter.ToInt32(bytes, 48))
            .First(n => BitConverter.ToInt32(bytes, (int)links0.Offset + n * stride * 4) < m0);
        int count = BitConverter.ToInt32(bytes, (int)links0.Offset + node * stride * 4);
        // A valid node id, so that only the zero rule is broken.
        FileCraft.WriteInt32(bytes, links0.Offset + ((long)node * stride + 1 + count) * 4, node == 0 ? 1 : 0);
        FileCraft.Reseal(bytes);
        var e = AssertRejected(bytes, "slot");
        Assert.Equal("links0", e.Section);
        Assert.Contains($"node {node}'s unused level-0 link slot {count}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SupersededNodeWithUnindexedLabel_ChecksumsRecomputed_LoadAndVerifyReject()
    {
        var bytes = Golden();
        int n = BitConverter.ToInt32(bytes, 48);
        var states = FileCraft.Find(bytes, 6);
        var labels = FileCraft.Find(bytes, 5);
        int node = Enumerable.Range(0, n).First(i => bytes[states.Offset + i] == 2);
        var held = Enumerable.Range(0, n).Select(i => BitConverter.ToInt64(bytes, (int)labels.Offset + i * 8)).ToHashSet();
        long orphan = Enumerable.Range(1, 1000).Select(i => (long)i * 7_919).First(l => !held.Contains(l));
        FileCraft.WriteInt64(bytes, labels.Offset + node * 8L, orphan);
        FileCraft.Reseal(bytes);
        var e = AssertRejected(bytes, "superseded");
        Assert.Contains($"node {node} is superseded, but no node in the label index holds its label {orphan}", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Load and Verify reject the file with a format error; Open maps it and searches safely.</summary>
    private IndexFormatException AssertRejected(byte[] bytes, string name)
    {
        string path = _folder.File(name + ".nhnsw");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<IndexFormatException>(() => HnswIndex.Load(path).Dispose());
        Assert.Equal(e.Message, Assert.Throws<IndexFormatException>(() => HnswIndex.Verify(path)).Message);
        ExerciseMapped(path, new Random(1));
        return e;
    }

    private static byte[] Golden() => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden-v1.nhnsw"));

    internal static byte[] BuildValid()
    {
        using var folder = new TempDirectory();
        using var index = Spec.Build();
        string path = folder.File("valid.nhnsw");
        index.Save(path);
        return File.ReadAllBytes(path);
    }

    private static byte[] Mutate(byte[] valid, Damage damage, Random random)
    {
        switch (damage)
        {
            case Damage.Truncate:
                return valid[..random.Next(valid.Length)];
            case Damage.FlipBit:
            {
                var bytes = (byte[])valid.Clone();
                int bit = random.Next(bytes.Length * 8);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                return bytes;
            }
            case Damage.Overwrite:
            {
                var bytes = (byte[])valid.Clone();
                int length = random.Next(1, 17);
                int at = random.Next(bytes.Length - length);
                random.NextBytes(bytes.AsSpan(at, length));
                return bytes;
            }
            case Damage.RandomBytes:
            {
                var bytes = new byte[random.Next(0, 2 * valid.Length)];
                random.NextBytes(bytes);
                return bytes;
            }
            default:
            {
                // A real header (so parsing goes deep) followed by noise, at the valid length or another.
                var bytes = new byte[random.Next(2) == 0 ? valid.Length : random.Next(FileCraft.TableAt, 2 * valid.Length)];
                random.NextBytes(bytes);
                valid.AsSpan(0, Math.Min(bytes.Length, FileCraft.HeaderSize(valid))).CopyTo(bytes);
                return bytes;
            }
        }
    }

    private static void AssertFormatException(Action action, string path, (Damage, int) input)
    {
        try
        {
            action();
        }
        catch (IndexFormatException e)
        {
            Assert.Equal(path, e.FilePath);
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            return;
        }
        Assert.Fail($"{input}: a damaged file was accepted");
    }

    /// <summary>Searches, lookups and filters on a mapped damaged file: any outcome but a crash, a hang or a foreign exception.</summary>
    internal static void ExerciseMapped(string path, Random random) => Exercise(path, random, HnswIndex.Open);

    /// <summary>Searches, lookups and filters on a damaged file opened by <paramref name="open"/>: any outcome but a crash, a hang or a foreign exception.</summary>
    internal static void Exercise(string path, Random random, Func<string, HnswIndex> open)
    {
        HnswIndex index;
        try
        {
            index = open(path);
        }
        catch (IndexFormatException)
        {
            return;
        }
        using (index)
        {
            int dims = index.Dimensions;
            var queries = Datasets.Gaussian(3, dims, random.Next());
            _ = index.Count;
            for (int q = 0; q < 3; q++)
            {
                var query = queries.AsSpan(q * dims, dims);
                _ = index.Search(query, 5, 20);
                _ = index.Search(query, 10, 40, label => (label & 1) == 0);
            }
            var vector = new float[dims];
            for (int i = 0; i < 10; i++)
            {
                long label = i % 2 == 0 ? s_labels[random.Next(s_labels.Length)] : random.NextInt64(long.MinValue, long.MaxValue);
                try
                {
                    _ = index.Contains(label);
                    index.GetVector(label, vector);
                }
                catch (LabelNotFoundException)
                {
                }
                catch (IndexFormatException)
                {
                }
            }
        }
    }
}
