using System.Globalization;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// The answers a golden file gave when it was written: a header line, then one "query label distance" line per
/// hit, the distance as its float32 bits. Recorded on the widest kernel rung; the narrower rungs sum the same
/// products in another order, so a replay matches labels exactly and distances to a few units in the last place.
/// </summary>
internal static class RecordedAnswers
{
    /// <summary>Absolute or relative slack for one distance: far above summation-order noise (~1e-7), far below any real change.</summary>
    private const double Tolerance = 1e-5;

    public static string[] Of(HnswIndex index, string header, float[] queries, int dims, int k = 5)
    {
        var lines = new List<string> { header };
        for (int q = 0; q < queries.Length / dims; q++)
        {
            foreach (var hit in index.Search(queries.AsSpan(q * dims, dims), k))
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{q} {hit.Label} {BitConverter.SingleToInt32Bits(hit.Distance):x8}"));
        }
        return [.. lines];
    }

    /// <summary>
    /// Same header, same hits in the same order, each distance within <see cref="Tolerance"/> of the recorded one.
    /// Two hits whose recorded distances tie within the tolerance may come back in either order.
    /// </summary>
    public static void AssertMatch(string[] expected, string[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected[0], actual[0]);
        var recorded = expected.Skip(1).Select(Parse).ToArray();
        for (int i = 1; i < actual.Length; i++)
        {
            var (query, label, distance) = Parse(actual[i]);
            var want = recorded[i - 1];
            Assert.True(query == want.Query && Close(distance, want.Distance),
                $"line {i + 1}: got '{actual[i]}' ({distance:R}), recorded '{expected[i]}' ({want.Distance:R})");
            bool tiedWithRecorded = recorded.Any(r => r.Query == query && r.Label == label && Close(r.Distance, want.Distance));
            Assert.True(label == want.Label || tiedWithRecorded,
                $"line {i + 1}: got label {label}, recorded {want.Label} at distance {want.Distance:R}");
        }
    }

    private static bool Close(float a, float b) => Math.Abs(a - b) <= Tolerance * Math.Max(1.0, Math.Abs(b));

    private static (int Query, long Label, float Distance) Parse(string line)
    {
        var parts = line.Split(' ');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture),
            BitConverter.Int32BitsToSingle(int.Parse(parts[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
    }
}
