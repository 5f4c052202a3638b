using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Tests;

/// <summary>The indexed metadata table: used by filters, and built by the migration of a version-1 store.</summary>
public sealed class MetadataIndexTests
{
    private static readonly CollectionOptions s_options = new() { Dimensions = 2, Metric = DistanceMetric.L2, M = 4, EfConstruction = 16 };

    private static void Fill(Collection c)
    {
        var values = new object[] { "a", "1", 1L, 1.0, 2.5, true, false };
        for (int i = 0; i < 70; i++)
            c.Add($"r{i}", [i, 1], metadata: i % 8 == 7 ? null : Meta.Of(("k", values[i % values.Length]), ("n", (long)(i % 5))));
    }

    [Fact]
    public void Filter_SelectiveComparison_ReadsTheMetadataIndexNotEveryRecord()
    {
        using var folder = new TempDirectory();
        using var client = new PersistentClient(folder.Path);
        var c = client.CreateCollection("c", s_options);
        Fill(c);
        using var connection = client.Database.OpenReader();
        using var command = connection.CreateCommand();
        command.Parameters.AddWithValue("@c", c.Id);
        command.CommandText = "EXPLAIN QUERY PLAN " + WhereSql.RowSet(Where.And(Where.Eq("k", "a"), Where.Ne("n", 2L)), command) + ";";
        var plan = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                plan.Add(reader.GetString(3));
        }
        Assert.Contains(plan, line => line.Contains("metadata_by_value", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_Version1Store_MigratesAndFiltersMatchTheReference()
    {
        using var folder = new TempDirectory();
        Dictionary<string, IReadOnlyDictionary<string, object>?> expected;
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.CreateCollection("c", s_options);
            Fill(c);
            expected = c.Get(include: Include.Metadatas).ToDictionary(r => r.Id, r => r.Metadata, StringComparer.Ordinal);
        }
        // Turn it into what the first commit wrote: no metadata table, format_version 1.
        using (var raw = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder.Path, "store.db"), Pooling = false }.ToString()))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "DROP TABLE metadata; UPDATE store_info SET value = '1' WHERE key = 'format_version';";
            command.ExecuteNonQuery();
        }
        using (var client = new PersistentClient(folder.Path))
        {
            var c = client.GetCollection("c");
            foreach (var where in new[] { Where.Eq("k", 1L), Where.Eq("k", "1"), Where.Eq("k", true), Where.Ne("k", false), Where.Gt("k", 0.5), Where.In("n", 0L, 3L) })
            {
                var want = expected.Where(p => Meta.Matches(where, p.Value)).Select(p => p.Key).Order(StringComparer.Ordinal);
                var got = c.Get(where: where, include: Include.None).Select(r => r.Id).Order(StringComparer.Ordinal);
                Assert.Equal(want, got);
            }
            using var connection = client.Database.OpenReader();
            using var version = connection.CreateCommand();
            version.CommandText = "SELECT value FROM store_info WHERE key = 'format_version';";
            Assert.Equal("5", version.ExecuteScalar());
        }
    }
}
