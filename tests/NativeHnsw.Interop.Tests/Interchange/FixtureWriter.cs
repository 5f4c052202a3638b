using System.Globalization;
using System.Text;
using NativeHnsw.Testing;

namespace NativeHnsw.Interop.Tests.Interchange;

/// <summary>
/// The program that made the committed fixtures under tests/NativeHnsw.Tests/Fixtures/Interchange: small files
/// written by the real hnswlib 0.6.2 and FAISS 1.7.3 through the shims, and the answers those libraries gave
/// (<c>*.answers.txt</c>: per query "q k ef" then label:distance pairs). It runs only when NHNSW_WRITE_FIXTURES names
/// the folder to write; otherwise it checks that the libraries still write the committed hnswlib bytes.
/// </summary>
public sealed class FixtureWriter : IDisposable
{
    public const int Count = 300;
    public const int QueryCount = 30;
    public const int K = 10;
    public const int Ef = 20;
    public const int DataSeed = 11;
    public const int QuerySeed = 12;

    private readonly TempDirectory _folder = new("nhnsw-fixtures-");

    public void Dispose() => _folder.Dispose();

    public static IEnumerable<(string Name, string Engine, DistanceMetric Metric, int M)> Fixtures =>
    [
        ("hnswlib-0.6.2-l2-m6", HnswlibEngine.EngineName, DistanceMetric.L2, 6),
        ("hnswlib-0.6.2-ip-m5", HnswlibEngine.EngineName, DistanceMetric.InnerProduct, 5),
        ("faiss-1.7.3-idmap-l2-m6", FaissEngine.EngineName, DistanceMetric.L2, 6),
        ("faiss-1.7.3-idmap-ip-m5", FaissEngine.EngineName, DistanceMetric.InnerProduct, 5),
    ];

    [Fact]
    public void Fixtures_WrittenByTheRealLibraries()
    {
        string? target = Environment.GetEnvironmentVariable("NHNSW_WRITE_FIXTURES");
        foreach (var (name, engine, metric, m) in Fixtures)
        {
            var factory = NativeRequirement.Engine(engine);
            string folder = target ?? _folder.Path;
            var options = new HnswOptions { Dimensions = ExactData.Dimensions, Metric = metric, M = m, EfConstruction = engine == FaissEngine.EngineName ? FaissEngine.FaissDefaultEfConstruction : 50, DefaultEf = Ef, InitialCapacity = Count, Seed = 5 };
            var data = ExactData.Base(Count, DataSeed);
            var queries = ExactData.Queries(QueryCount, QuerySeed);
            // Labels are not the row numbers, so a reader that ignored the id map or the label field would be caught.
            var labels = Datasets.RowLabels(Count).Select(i => 1_000 + 3 * i).ToArray();
            using var index = factory.Create(options);
            index.AddBatch(labels, data, maxDegreeOfParallelism: 1);
            string path = Path.Combine(folder, name + ".bin");
            index.Save(path);
            var answers = new StringBuilder();
            for (int q = 0; q < QueryCount; q++)
            {
                var hits = index.Search(queries.AsSpan(q * ExactData.Dimensions, ExactData.Dimensions), K, Ef);
                answers.Append(CultureInfo.InvariantCulture, $"{q} {K} {Ef}");
                foreach (var hit in hits)
                    answers.Append(CultureInfo.InvariantCulture, $" {hit.Label}:{hit.Distance:R}");
                answers.Append('\n');
            }
            File.WriteAllText(Path.Combine(folder, name + ".answers.txt"), answers.ToString());
            if (target is null && engine == HnswlibEngine.EngineName)
            {
                // hnswlib is deterministic single-threaded: the library on this machine still writes the committed bytes.
                string committed = Path.Combine(AppContext.BaseDirectory, "../../../../NativeHnsw.Tests/Fixtures/Interchange", name + ".bin");
                if (File.Exists(committed))
                    Assert.Equal(File.ReadAllBytes(committed), File.ReadAllBytes(path));
            }
        }
    }
}
