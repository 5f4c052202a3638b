using FsCheck;
using FsCheck.Fluent;
using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// Save, Load and Open over random indexes: every dimension count 1..300, 0..3,000 vectors, every
/// metric, random M, deletions, replacements and labels. A failing case prints its spec (seed included).
/// </summary>
public sealed class RoundTripProperties
{
    [FsCheck.Xunit.Property(MaxTest = 40)]
    public Property SaveLoadSave_RandomIndex_ByteIdenticalAndSameGraph() =>
        Prop.ForAll(IndexSpec.Generator().ToArbitrary(), spec =>
        {
            using var folder = new TempDirectory();
            using var original = spec.Build();
            string first = folder.File("a.nhnsw"), second = folder.File("b.nhnsw");
            original.Save(first);
            using var loaded = HnswIndex.Load(first);
            loaded.Save(second);
            Assert.True(File.ReadAllBytes(first).AsSpan().SequenceEqual(File.ReadAllBytes(second)), $"{spec}: second save differs");
            GraphAssert.SameGraph(original, loaded);
            var verification = HnswIndex.Verify(second);
            Assert.Equal(original.Count, verification.Count);
            Assert.Equal(original.NodeCount, verification.NodeCount);
            foreach (long label in spec.Labels().Take(50))
                Assert.Equal(original.Contains(label), loaded.Contains(label));
        });

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public Property Search_OriginalLoadedAndMapped_IdenticalBitForBit() =>
        Prop.ForAll(IndexSpec.Generator(maxCount: 1_500).ToArbitrary(), spec =>
        {
            using var folder = new TempDirectory();
            using var original = spec.Build();
            string path = folder.File("index.nhnsw");
            original.Save(path);
            using var loaded = HnswIndex.Load(path);
            using var mapped = HnswIndex.Open(path);
            Assert.True(mapped.IsReadOnly);
            Assert.Equal(original.Count, mapped.Count);
            Assert.Equal(original.Options, mapped.Options);

            var queries = Datasets.Gaussian(8, spec.Dimensions, spec.Seed + 7);
            int[] ks = [1, 5, 17];
            int[] efs = [0, 10, 64];
            GraphAssert.SameAnswers(original, loaded, queries, ks, efs);
            GraphAssert.SameAnswers(original, mapped, queries, ks, efs);
            Func<long, bool> odd = label => (label & 1) != 0;
            GraphAssert.SameAnswers(original, mapped, queries, [10], [32], odd);

            var labels = spec.Labels();
            var expected = new float[spec.Dimensions];
            var actual = new float[spec.Dimensions];
            foreach (long label in labels.Take(40))
            {
                Assert.Equal(original.Contains(label), mapped.Contains(label));
                original.GetVector(label, expected);
                mapped.GetVector(label, actual);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{spec}: vector of label {label} differs");
            }
            Assert.False(mapped.Contains(labels.Length == 0 ? 1 : labels.Max() == long.MaxValue ? labels.Min() - 1 : labels.Max() + 1));
        });
}
