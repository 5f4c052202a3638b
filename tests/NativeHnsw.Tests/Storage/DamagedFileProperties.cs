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
    private const int Dims = 6;
    private static readonly IndexSpec s_spec = new(Dims, 150, DistanceMetric.L2, M: 3, EfConstruction: 20, DefaultEf: 20,
        DeleteFraction: 0.2, ReplaceFraction: 0.2, RandomLabels: true, Threads: 1, Seed: 5);
    private static readonly long[] s_labels = s_spec.Labels();
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

    internal static byte[] BuildValid()
    {
        using var folder = new TempDirectory();
        using var index = s_spec.Build();
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
    private static void ExerciseMapped(string path, Random random)
    {
        HnswIndex index;
        try
        {
            index = HnswIndex.Open(path);
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
