using FsCheck;
using FsCheck.Fluent;

namespace NativeHnsw.Storage.Tests;

/// <summary>
/// Random where filters over records with random metadata (missing keys, keys holding values of different types,
/// ints and floats that are equal): get by filter must return exactly the records a LINQ evaluation of the
/// documented semantics selects, and a parse of the filter's JSON gives the same filter.
/// </summary>
public sealed class FilterProperties : IClassFixture<FilterProperties.Store>
{
    private const int Records = 300;
    private static readonly object[] s_values = ["a", "b", "1", 1L, 2L, 1.0, 2.5, true, false];
    private static readonly string[] s_keys = ["k1", "k2", "k3"];
    private readonly Store _store;

    public FilterProperties(Store store)
    {
        _store = store;
    }

    [FsCheck.Xunit.Property(MaxTest = 150)]
    public Property Get_RandomFilter_EqualsLinqEvaluation() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var where = RandomWhere(random, depth: 0);
            var reparsed = Where.Parse(where.ToString());
            Assert.Equal(where.ToString(), reparsed.ToString());
            var expected = _store.Metadata.Where(p => Meta.Matches(where, p.Value)).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
            var actual = _store.Collection.Get(where: reparsed, include: Include.None).Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.SequenceEqual(actual), $"seed {seed}: {where}: expected {expected.Count} records, got {actual.Count}");
        });

    private static Where RandomWhere(Random random, int depth)
    {
        int kind = random.Next(depth >= 2 ? 1 : 4);
        if (kind >= 2)
        {
            var children = Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomWhere(random, depth + 1)).ToArray();
            return kind == 2 ? Where.And(children) : Where.Or(children);
        }
        string key = s_keys[random.Next(s_keys.Length)];
        var op = (WhereOperator)random.Next(8);
        object value = s_values[random.Next(s_values.Length)];
        switch (op)
        {
            case WhereOperator.Gt or WhereOperator.Gte or WhereOperator.Lt or WhereOperator.Lte:
                return op switch
                {
                    WhereOperator.Gt => Where.Gt(key, random.Next(3) * 0.75),
                    WhereOperator.Gte => Where.Gte(key, (long)random.Next(3)),
                    WhereOperator.Lt => Where.Lt(key, random.Next(3) * 0.75),
                    _ => Where.Lte(key, (long)random.Next(3)),
                };
            case WhereOperator.In or WhereOperator.Nin:
                var same = s_values.Where(v => SameClass(v, value)).Where(_ => random.Next(2) == 0).DefaultIfEmpty(value).ToArray();
                return op == WhereOperator.In ? Where.In(key, same) : Where.Nin(key, same);
            case WhereOperator.Eq:
                return Where.Eq(key, value);
            default:
                return Where.Ne(key, value);
        }
    }

    private static bool SameClass(object a, object b) => (a, b) switch
    {
        (string, string) or (bool, bool) => true,
        (long or double, long or double) => true,
        _ => false,
    };

    /// <summary>One store for every case: 300 records with random metadata (seed 7).</summary>
    public sealed class Store : IDisposable
    {
        private readonly TempDirectory _folder = new();
        private readonly PersistentClient _client;

        public Store()
        {
            _client = new PersistentClient(_folder.Path);
            Collection = _client.CreateCollection("f", new CollectionOptions { Dimensions = 2, Metric = DistanceMetric.L2, M = 4, EfConstruction = 16 });
            var random = new Random(7);
            Metadata = [];
            var ids = new List<string>();
            var vectors = new List<float[]>();
            var metadatas = new List<IReadOnlyDictionary<string, object?>?>();
            for (int i = 0; i < Records; i++)
            {
                var meta = new Dictionary<string, object>(StringComparer.Ordinal);
                foreach (string key in s_keys)
                {
                    if (random.Next(3) != 0)
                        meta[key] = s_values[random.Next(s_values.Length)];
                }
                string id = $"r{i}";
                Metadata[id] = meta.Count == 0 ? null : meta;
                ids.Add(id);
                vectors.Add([i, 1]);
                metadatas.Add(meta.Count == 0 ? null : meta.ToDictionary(p => p.Key, p => (object?)p.Value));
            }
            Collection.Add(ids, vectors, metadatas: metadatas);
        }

        public Collection Collection { get; }

        public Dictionary<string, IReadOnlyDictionary<string, object>?> Metadata { get; }

        public void Dispose()
        {
            _client.Dispose();
            _folder.Dispose();
        }
    }
}
