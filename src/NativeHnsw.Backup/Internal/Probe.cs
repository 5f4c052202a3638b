namespace NativeHnsw.Backup.Internal;

/// <summary>Sample queries: standard-normal vectors from a seed, so a manifest records the seed and not the vectors.</summary>
internal static class Probe
{
    public static ProbeSet Record(HnswIndex index, int seed, int queries, int k)
    {
        int ef = Math.Max(index.Options.DefaultEf, k);
        var expected = new List<IReadOnlyList<long>>();
        if (index.Count > 0)
        {
            foreach (float[] query in Queries(seed, queries, index.Dimensions))
                expected.Add([.. index.Search(query, k, ef).Select(r => r.Label)]);
        }
        return new ProbeSet(seed, k, ef, expected);
    }

    /// <summary>Null when every query answers as recorded; else the first difference, for a message.</summary>
    public static string? Check(HnswIndex index, ProbeSet probe)
    {
        if (probe.Expected.Count == 0)
            return index.Count == 0 ? null : "the backup recorded no sample answers but the restored index is not empty";
        int i = 0;
        foreach (float[] query in Queries(probe.Seed, probe.Expected.Count, index.Dimensions))
        {
            long[] got = [.. index.Search(query, probe.K, probe.Ef).Select(r => r.Label)];
            if (!got.SequenceEqual(probe.Expected[i]))
                return $"sample query {i} answered [{string.Join(", ", got.Take(5))}…], the backup recorded [{string.Join(", ", probe.Expected[i].Take(5))}…]";
            i++;
        }
        return null;
    }

    private static IEnumerable<float[]> Queries(int seed, int count, int dimensions)
    {
        var random = new Random(seed);
        for (int q = 0; q < count; q++)
        {
            var vector = new float[dimensions];
            for (int i = 0; i < dimensions; i++)
            {
                // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
                double u1 = 1.0 - random.NextDouble();
                double u2 = random.NextDouble();
                vector[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
            }
            yield return vector;
        }
    }
}
