namespace NativeHnsw.Storage.Tests;

/// <summary>
/// Filters at and past the documented limits: a nesting depth limit reported as <see cref="FilterSyntaxException"/>
/// with the depth, and lists and operand counts far beyond SQLite's variable and compound-select limits, checked
/// against the C# reference (<see cref="Meta.Matches"/>).
/// </summary>
public sealed class FilterLimitTests
{
    private const int Records = 400;
    private static readonly CollectionOptions s_options = new() { Dimensions = 2, Metric = DistanceMetric.L2, M = 4, EfConstruction = 16 };

    private static (PersistentClient Client, Collection Collection, Dictionary<string, IReadOnlyDictionary<string, object>?> Metadata) Fill(string path)
    {
        var client = new PersistentClient(path);
        var c = client.CreateCollection("f", s_options);
        var metadata = new Dictionary<string, IReadOnlyDictionary<string, object>?>(StringComparer.Ordinal);
        var ids = new List<string>();
        var vectors = new List<float[]>();
        var metadatas = new List<IReadOnlyDictionary<string, object?>?>();
        for (int i = 0; i < Records; i++)
        {
            var meta = new Dictionary<string, object>(StringComparer.Ordinal) { ["n"] = (long)i, ["s"] = $"v{i}", ["f"] = i / 7.0, ["b"] = i % 3 == 0 };
            metadata[$"r{i}"] = meta;
            ids.Add($"r{i}");
            vectors.Add([i, 1]);
            metadatas.Add(meta.ToDictionary(p => p.Key, p => (object?)p.Value));
        }
        c.Add(ids, vectors, metadatas: metadatas);
        return (client, c, metadata);
    }

    private static List<string> Expected(Dictionary<string, IReadOnlyDictionary<string, object>?> metadata, Where where) =>
        [.. metadata.Where(p => Meta.Matches(where, p.Value)).Select(p => p.Key).Order(StringComparer.Ordinal)];

    private static List<string> Got(Collection c, Where where) =>
        [.. c.Get(where: where, include: Include.None).Select(r => r.Id).Order(StringComparer.Ordinal)];

    /// <summary>$and and $or alternating, <paramref name="depth"/> levels, each with a comparison beside the nested filter.</summary>
    private static Where Nested(int depth)
    {
        var where = Where.Gte("n", 3L);
        for (int d = 1; d < depth; d++)
            where = d % 2 == 0 ? Where.And(Where.Ne("n", (long)(d % Records)), where) : Where.Or(Where.Eq("n", (long)(d * 7 % Records)), where);
        return where;
    }

    [Fact]
    public void Where_Nested1000Deep_RefusedWithFilterSyntaxExceptionNamingTheDepth()
    {
        using var folder = new TempDirectory();
        var (client, c, _) = Fill(folder.Path);
        using (client)
        {
            // Refused where it is built: never an InvalidOperationException from Query, Get, Delete or ToString.
            var e = Record.Exception(() =>
            {
                var where = Nested(1_000);
                c.Get(where: where);
                c.Query([1, 1], 3, where);
                c.Delete(where: where);
                _ = where.ToString();
            });
            var syntax = Assert.IsType<FilterSyntaxException>(e);
            Assert.Contains($"nests {Where.MaxDepth + 1} levels", syntax.Message);
            Assert.Contains($"at most {Where.MaxDepth}", syntax.Message);
            Assert.Equal(Records, c.Count());
            // Parsed JSON of 1,000 levels is refused the same way.
            string json = "{\"n\": 1}";
            for (int d = 1; d < 1_000; d++)
                json = $"{{\"$or\": [{{\"n\": {d}}}, {json}]}}";
            Assert.Throws<FilterSyntaxException>(() => Where.Parse(json));
        }
    }

    [Fact]
    public void Where_NestedToTheDepthLimit_WorksInQueryGetDeleteToStringAndParse()
    {
        using var folder = new TempDirectory();
        var (client, c, metadata) = Fill(folder.Path);
        using (client)
        {
            var where = Nested(Where.MaxDepth);
            Assert.Equal(Where.MaxDepth, where.Depth);
            var reparsed = Where.Parse(where.ToString());
            Assert.Equal(Where.MaxDepth, reparsed.Depth);
            Assert.Equal(where.ToString(), reparsed.ToString());
            var expected = Expected(metadata, where);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, Got(c, reparsed));
            Assert.Equal(3, c.Query([1, 1], 3, where).Count);
            Assert.Equal(expected.Count, c.Delete(where: where));
            Assert.Equal(Records - expected.Count, c.Count());
        }
    }

    [Fact]
    public void In_100000Values_MatchesTheReferenceInGetQueryAndDelete()
    {
        using var folder = new TempDirectory();
        var (client, c, metadata) = Fill(folder.Path);
        using (client)
        {
            var random = new Random(11);
            Console.WriteLine("seed 11");
            // Every third record's number, string and float, among 100,000 values that match nothing.
            var numbers = new List<object>();
            var strings = new List<object>();
            var floats = new List<object>();
            for (int i = 0; i < Records; i += 3)
            {
                numbers.Add((long)i);
                strings.Add($"v{i}");
                floats.Add(i / 7.0);
            }
            while (numbers.Count < 100_000)
            {
                numbers.Add((long)random.Next(Records, int.MaxValue));
                strings.Add($"x{random.Next()}");
                floats.Add(random.NextDouble() * Records + 0.5 / 7);
            }
            foreach (var where in new[]
            {
                Where.In("n", [.. numbers]), Where.In("s", [.. strings]), Where.In("f", [.. floats]),
                Where.Nin("n", [.. numbers]), Where.And(Where.Nin("s", [.. strings]), Where.Lt("n", 200L)),
            })
            {
                var expected = Expected(metadata, where);
                Assert.NotEmpty(expected);
                Assert.Equal(expected, Got(c, where));
                var hits = c.Query([0, 1], 5, where);
                Assert.Equal(expected.OrderBy(id => int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)).Take(5), hits.Select(h => h.Id));
            }
            int deleted = c.Delete(where: Where.In("n", [.. numbers]));
            Assert.Equal((Records + 2) / 3, deleted);
            Assert.Empty(c.Get(where: Where.In("n", [.. numbers])));
        }
    }

    [Fact]
    public void OrAndAnd_With1500Members_MatchTheReference()
    {
        using var folder = new TempDirectory();
        var (client, c, metadata) = Fill(folder.Path);
        using (client)
        {
            var or = Where.Or([.. Enumerable.Range(0, 1_500).Select(i => Where.Eq("n", (long)(i * 13 % (2 * Records))))]);
            var and = Where.And([.. Enumerable.Range(0, 1_500).Select(i => i % 2 == 0 ? Where.Ne("n", (long)(i % Records)) : Where.Gte("f", 1.0))]);
            foreach (var where in new[] { or, and, Where.And(or, and), Where.Or(and, Where.Eq("b", true)) })
                Assert.Equal(Expected(metadata, where), Got(c, where));
        }
    }
}
