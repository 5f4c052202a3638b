using FsCheck;
using FsCheck.Fluent;

namespace NativeHnsw.Tests.Storage;

/// <summary>The shape of a random index for the persistence properties; <see cref="Build"/> makes it, the same every time.</summary>
public sealed record IndexSpec(int Dimensions, int Count, DistanceMetric Metric, int M, int EfConstruction, int DefaultEf,
    double DeleteFraction, double ReplaceFraction, bool RandomLabels, int Threads, int Seed)
{
    /// <summary>Mostly small (the properties run in the normal test pass), sometimes up to 3,000 vectors or 300 dimensions.</summary>
    public static Gen<IndexSpec> Generator(int maxCount = 3_000) =>
        from dims in Gen.Frequency((6, Gen.Choose(1, 16)), (3, Gen.Choose(17, 64)), (1, Gen.Choose(65, 300)))
        from count in Gen.Frequency((5, Gen.Choose(0, 60)), (4, Gen.Choose(61, 400)), (1, Gen.Choose(401, maxCount)))
        from metric in Gen.Elements(DistanceMetric.Cosine, DistanceMetric.L2, DistanceMetric.InnerProduct)
        from m in Gen.Choose(2, 24)
        from efc in Gen.Choose(8, 64)
        from ef in Gen.Choose(1, 200)
        from deletes in Gen.Elements(0.0, 0.0, 0.1, 0.5, 1.0)
        from replaces in Gen.Elements(0.0, 0.0, 0.1, 0.3)
        from randomLabels in Gen.Elements(true, false)
        from threads in Gen.Elements(1, 1, 2)
        from seed in Gen.Choose(0, int.MaxValue)
            // Large shapes are kept cheap: one of the two dimensions stays small.
        let d = count > 400 ? Math.Min(dims, 48) : dims
        select new IndexSpec(d, count, metric, m, efc, ef, deletes, replaces, randomLabels, threads, seed);

    public HnswOptions Options => new()
    {
        Dimensions = Dimensions,
        Metric = Metric,
        M = M,
        EfConstruction = EfConstruction,
        DefaultEf = DefaultEf,
        Seed = (ulong)Seed,
        InitialCapacity = Count / 2,
    };

    public long[] Labels()
    {
        var random = new Random(Seed);
        var labels = new long[Count];
        var seen = new HashSet<long>();
        for (int i = 0; i < Count; i++)
        {
            long label;
            do
                label = RandomLabels ? random.NextInt64(long.MinValue, long.MaxValue) : i;
            while (!seen.Add(label));
            labels[i] = label;
        }
        return labels;
    }

    public float[] Vectors(int seed) => Testing.Datasets.Gaussian(Count, Dimensions, seed);

    /// <summary>Builds the index: a batch, then replacements of some labels, then deletions (of original and replaced labels alike).</summary>
    public HnswIndex Build()
    {
        var index = new HnswIndex(Options);
        var labels = Labels();
        index.AddRange(labels, Vectors(Seed), Threads);
        var random = new Random(Seed ^ 0x5A5A);
        int replaced = (int)(Count * ReplaceFraction);
        var fresh = Testing.Datasets.Gaussian(Math.Max(replaced, 1), Dimensions, Seed + 1);
        for (int i = 0; i < replaced; i++)
            index.Add(labels[random.Next(Count)], fresh.AsSpan(i * Dimensions, Dimensions));
        foreach (long label in labels)
        {
            if (random.NextDouble() < DeleteFraction)
                index.MarkDeleted(label);
        }
        return index;
    }

    public override string ToString() =>
        $"{Count}x{Dimensions} {Metric} M={M} efc={EfConstruction} ef={DefaultEf} del={DeleteFraction} repl={ReplaceFraction} randomLabels={RandomLabels} threads={Threads} seed={Seed}";
}
