using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;

namespace NativeHnsw.VectorData.Tests;

/// <summary>
/// Every translated filter is checked against LINQ to objects over the same records: the store must return exactly the
/// records the compiled predicate accepts, through both GetAsync(filter) and a filtered SearchAsync.
/// </summary>
public sealed class FilterTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private NativeHnswVectorStore _store = null!;
    private VectorStoreCollection<string, Product> _products = null!;
    private List<Product> _records = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new NativeHnswVectorStore(_dir.File("store"));
        _products = _store.GetCollection<string, Product>("products");
        await _products.EnsureCollectionExistsAsync(Ct);
        const int seed = 1234;
        var random = new Random(seed);
        string[] names = ["Lamp", "Desk", "Chair", "Shelf", "Sofa"];
        _records = Enumerable.Range(0, 60).Select(i => new Product
        {
            Id = $"p{i:D2}",
            Name = names[i % names.Length],
            Stock = random.Next(-5, 20),
            Sold = random.NextInt64(0, 10_000_000_000),
            Price = Math.Round(random.NextDouble() * 100, 2),
            // 2.3f and 0.1f have no exact binary form: they check that filters and writes widen floats alike.
            Rating = i == 7 ? 2.3f : i == 8 ? 0.1f : (float)Math.Round(random.NextDouble() * 5, 1),
            InStock = i % 3 != 0,
            Discount = i % 4 == 0 ? null : random.Next(0, 50),
            Category = i % 5 == 0 ? null : (i % 2 == 0 ? "home" : "office"),
            Embedding = new float[] { 1 + i, 1, (float)random.NextDouble(), 0.5f },
        }).ToList();
        await _products.UpsertAsync(_records, Ct);
    }

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    public static TheoryData<string> Filters => [.. s_filters.Keys];

    private static readonly int s_captured = 7;

    private static readonly Dictionary<string, Expression<Func<Product, bool>>> s_filters = new()
    {
        ["string =="] = p => p.Name == "Lamp",
        ["string !="] = p => p.Name != "Lamp",
        ["nullable string =="] = p => p.Category == "home",
        ["nullable string !="] = p => p.Category != "home",
        ["int =="] = p => p.Stock == 3,
        ["int !="] = p => p.Stock != 3,
        ["int >"] = p => p.Stock > 5,
        ["int >="] = p => p.Stock >= 5,
        ["int <"] = p => p.Stock < 0,
        ["int <="] = p => p.Stock <= 0,
        ["value on the left"] = p => 5 < p.Stock,
        ["captured variable"] = p => p.Stock > s_captured,
        ["long >"] = p => p.Sold > 5_000_000_000,
        ["long <="] = p => p.Sold <= 2_000_000_000L,
        ["double >="] = p => p.Price >= 50.0,
        ["double <"] = p => p.Price < 25.5,
        ["float >"] = p => p.Rating > 2.5f,
        ["float =="] = p => p.Rating == 2.5f,
        ["float == not exact in binary"] = p => p.Rating == 2.3f,
        ["float !="] = p => p.Rating != 0.1f,
        ["bool =="] = p => p.InStock == true,
        ["bool member"] = p => p.InStock,
        ["bool negated member"] = p => !p.InStock,
        ["nullable int >"] = p => p.Discount > 20,
        ["nullable int =="] = p => p.Discount == 10,
        ["nullable int !="] = p => p.Discount != 10,
        ["and"] = p => p.InStock && p.Stock > 2,
        ["or"] = p => p.Name == "Desk" || p.Price < 10,
        ["not and"] = p => !(p.Name == "Desk" && p.Stock > 2),
        ["not or"] = p => !(p.Name == "Desk" || p.InStock),
        ["not range"] = p => !(p.Stock > 4),
        ["nested"] = p => (p.Name == "Lamp" || p.Name == "Sofa") && !(p.Price > 80) && p.Sold >= 1_000,
        ["contains strings"] = p => new[] { "Chair", "Sofa" }.Contains(p.Name),
        ["contains ints"] = p => new List<int> { 1, 2, 3, 4 }.Contains(p.Stock),
        ["not contains"] = p => !new[] { "Chair", "Sofa" }.Contains(p.Name),
        ["contains empty"] = p => Array.Empty<string>().Contains(p.Name),
        ["not contains empty"] = p => !Array.Empty<string>().Contains(p.Name),
        ["true"] = p => true,
        ["false"] = p => false,
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Filter_MatchesLinqToObjects(string name)
    {
        var filter = s_filters[name];
        var compiled = filter.Compile();
        var expected = _records.Where(compiled).Select(p => p.Id).Order(StringComparer.Ordinal).ToList();
        var got = await _products.GetAsync(filter, 1_000, cancellationToken: Ct).Select(p => p.Id).ToListAsync(Ct);
        Assert.Equal(expected, got.Order(StringComparer.Ordinal));
        var searched = await _products.SearchAsync(new ReadOnlyMemory<float>([1, 1, 1, 1]), 1_000, new VectorSearchOptions<Product> { Filter = filter }, Ct)
            .Select(r => r.Record.Id).ToListAsync(Ct);
        Assert.Equal(expected, searched.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Get_WithTopAndSkip_PagesInInsertionOrder()
    {
        var page = await _products.GetAsync(p => p.InStock, 5, new FilteredRecordRetrievalOptions<Product> { Skip = 3 }, Ct).Select(p => p.Id).ToListAsync(Ct);
        Assert.Equal(_records.Where(p => p.InStock).Skip(3).Take(5).Select(p => p.Id), page);
    }

    [Fact]
    public async Task Get_WithOrderBy_IsRefused() =>
        await Assert.ThrowsAsync<NotSupportedException>(async () => await _products.GetAsync(p => true, 5,
            new FilteredRecordRetrievalOptions<Product> { OrderBy = o => o.Ascending(p => p.Price) }, Ct).ToListAsync(Ct));

    public static TheoryData<string> Untranslatable => [.. s_untranslatable.Keys];

    private static readonly Dictionary<string, (Expression<Func<Product, bool>> Filter, string Named)> s_untranslatable = new()
    {
        ["method call"] = (p => p.Name.StartsWith('L'), "StartsWith"),
        ["arithmetic"] = (p => p.Stock + 1 > 3, "Add"),
        ["property to property"] = (p => p.Stock == p.Discount, "compares two properties"),
        ["null comparison"] = (p => p.Category == null, "null"),
        ["key filter"] = (p => p.Id == "p01", "key property 'Id'"),
        ["negated nullable range"] = (p => !(p.Discount > 3), "nullable property 'Discount'"),
        ["string ordering"] = (p => string.Compare(p.Name, "M", StringComparison.Ordinal) > 0, "Compare"),
    };

    [Theory]
    [MemberData(nameof(Untranslatable))]
    public async Task Filter_Untranslatable_ThrowsNotSupportedNamingIt(string name)
    {
        var (filter, named) = s_untranslatable[name];
        var e = await Assert.ThrowsAsync<NotSupportedException>(async () => await _products.GetAsync(filter, 10, cancellationToken: Ct).ToListAsync(Ct));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NotSupportedException>(async () =>
            await _products.SearchAsync(new ReadOnlyMemory<float>([1, 1, 1, 1]), 3, new VectorSearchOptions<Product> { Filter = filter }, Ct).ToListAsync(Ct));
    }
}
