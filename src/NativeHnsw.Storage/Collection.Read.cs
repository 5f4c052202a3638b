using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using Microsoft.Data.Sqlite;
using NativeHnsw.Distance;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

public sealed partial class Collection
{
    /// <summary>
    /// The records that have one of <paramref name="ids"/> (when given) and match <paramref name="where"/> (when
    /// given), in insertion order (an upsert or update keeps a record's place), skipping <paramref name="offset"/>
    /// and returning at most <paramref name="limit"/>. Ids that do not exist are left out, as in Chroma.
    /// </summary>
    public IReadOnlyList<StoredRecord> Get(IReadOnlyList<string>? ids = null, Where? where = null, int? limit = null, int offset = 0, Include include = Include.Default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (limit is < 0)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be 0 or more.");
        ThrowIfGone();
        return Db.Run(() =>
        {
            using var connection = Db.OpenReader();
            using var command = connection.CreateCommand();
            var sql = new StringBuilder("SELECT row_id, id").Append(Columns(include)).Append(" FROM records WHERE ").Append(Conditions(command, ids, where))
                .Append(" ORDER BY row_id LIMIT @limit OFFSET @offset;");
            command.CommandText = sql.ToString();
            command.Parameters.AddWithValue("@limit", limit ?? -1);
            command.Parameters.AddWithValue("@offset", offset);
            using var reader = command.ExecuteReader();
            var records = new List<StoredRecord>();
            while (reader.Read())
                records.Add(ReadRecord(reader, include));
            return records;
        });
    }

    /// <summary>The first <paramref name="limit"/> records, in insertion order.</summary>
    public IReadOnlyList<StoredRecord> Peek(int limit = 10, Include include = Include.Default) => Get(limit: limit, include: include);

    /// <summary>Number of records.</summary>
    public int Count()
    {
        ThrowIfGone();
        return Db.Run(() =>
        {
            using var connection = Db.OpenReader();
            return (int)StoreDatabase.Scalar<long>(connection, "SELECT COUNT(*) FROM records WHERE collection = @c;", ("@c", _id));
        });
    }

    /// <summary>
    /// The <paramref name="k"/> records nearest to <paramref name="embedding"/>, nearest first, among those matching
    /// <paramref name="where"/> when given.
    /// </summary>
    /// <remarks>
    /// Without a filter the HNSW graph is searched with beam <paramref name="ef"/> (0: the collection's DefaultEf).
    /// With a filter, the matching row ids are read from SQLite first; when at most <see cref="ExactSearchThreshold"/>
    /// match, the answer is exact (distances to each of them); otherwise the graph is searched with a predicate over
    /// them and a beam widened by the share of records excluded (up to 8192), since a filtered walk finds fewer hits
    /// per step.
    /// </remarks>
    public IReadOnlyList<QueryHit> Query(ReadOnlySpan<float> embedding, int k = 10, Where? where = null, Include include = Include.QueryDefault, int ef = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(ef);
        ThrowIfGone();
        if (embedding.Length != Options.Dimensions)
            throw new ArgumentException($"collection '{Name}': the query has {embedding.Length} dimensions, the collection {Options.Dimensions}.", nameof(embedding));
        if (!TensorPrimitives.IsFiniteAll(embedding))
            throw new ArgumentException($"collection '{Name}': the query has a NaN or infinite component.", nameof(embedding));
        var index = _index;
        SearchResult[] hits;
        if (where is null)
        {
            hits = index.Count == 0 ? [] : index.Search(embedding, k, ef);
        }
        else
        {
            var allowed = AllowedRows(where);
            if (allowed.Count == 0)
                hits = [];
            else if (allowed.Count <= ExactSearchThreshold || (long)allowed.Count * Options.Dimensions <= ExactSearchComponents)
                hits = Exact(index, embedding, k, allowed);
            else
            {
                int beam = Math.Max(ef == 0 ? Options.DefaultEf : ef, k);
                long widened = (long)beam * Math.Max(1, index.Count) / allowed.Count;
                beam = (int)Math.Clamp(widened, beam, Math.Max(beam, 8_192));
                Interlocked.Increment(ref _filteredGraphSearches);
                hits = index.Search(embedding, k, beam, allowed.Contains);
            }
        }
        return Hydrate(hits, include);
    }

    /// <summary>Filtered queries answered by the graph walk with a predicate (not exactly); for tests that must reach that path.</summary>
    internal long FilteredGraphSearches => Interlocked.Read(ref _filteredGraphSearches);

    /// <summary>
    /// The row ids matching <paramref name="where"/>, from the metadata index; the last few sets are kept while the
    /// collection is unchanged, so a repeated filter costs a dictionary lookup.
    /// </summary>
    private HashSet<long> AllowedRows(Where where)
    {
        string key = where.ToString();
        long version = Interlocked.Read(ref _dataVersion);
        if (_filterCache.TryGet(key, version, out var cached))
            return cached;
        var rows = Db.Run(() =>
        {
            using var connection = Db.OpenReader();
            using var command = connection.CreateCommand();
            command.Parameters.AddWithValue("@c", _id);
            command.CommandText = WhereSql.RowSet(where, command) + ";";
            using var reader = command.ExecuteReader();
            var set = new HashSet<long>();
            while (reader.Read())
                set.Add(reader.GetInt64(0));
            return set;
        });
        // Keyed by the version read before the SQL: a commit during it bumps the version, so the set is never reused after it.
        _filterCache.Add(key, version, rows);
        return rows;
    }

    private SearchResult[] Exact(HnswIndex index, ReadOnlySpan<float> embedding, int k, HashSet<long> allowed)
    {
        var query = Prepared(embedding);
        var stored = new float[Options.Dimensions];
        // Stored rows and the prepared query are unit length under cosine, so 1 − a·b is the index's own cosine distance.
        var metric = Options.Metric == DistanceMetric.Cosine ? DistanceMetric.InnerProduct : Options.Metric;
        // The k best so far in a max-heap on (distance, label): one comparison per record once it is full.
        var best = new PriorityQueue<SearchResult, SearchResult>(k + 1, s_worstFirst);
        foreach (long row in allowed)
        {
            // A row committed by a writer that has not reached the index yet is not searchable yet.
            if (!index.Contains(row))
                continue;
            index.GetVector(row, stored);
            float distance = VectorDistance.Compute(metric, query, stored);
            var hit = new SearchResult(row, distance);
            if (best.Count < k)
                best.Enqueue(hit, hit);
            else if (s_worstFirst.Compare(hit, best.Peek()) > 0)
                best.EnqueueDequeue(hit, hit);
        }
        var result = new SearchResult[best.Count];
        for (int i = result.Length - 1; i >= 0; i--)
            result[i] = best.Dequeue();
        return result;
    }

    /// <summary>Orders the heap's root as the worst hit: larger distance, then larger label.</summary>
    private static readonly Comparer<SearchResult> s_worstFirst = Comparer<SearchResult>.Create(static (a, b) =>
        a.Distance != b.Distance ? b.Distance.CompareTo(a.Distance) : b.Label.CompareTo(a.Label));

    /// <summary>Reads the records of the hits, keeping the hit order; a record deleted since the search is left out.</summary>
    private List<QueryHit> Hydrate(SearchResult[] hits, Include include)
    {
        if (hits.Length == 0)
            return [];
        var byRow = Db.Run(() =>
        {
            using var connection = Db.OpenReader();
            using var command = connection.CreateCommand();
            var rows = new StringBuilder("[");
            for (int i = 0; i < hits.Length; i++)
                rows.Append(i == 0 ? "" : ",").Append(hits[i].Label.ToString(CultureInfo.InvariantCulture));
            command.CommandText = "SELECT row_id, id" + Columns(include) + " FROM records WHERE row_id IN (SELECT value FROM json_each(@rows));";
            command.Parameters.AddWithValue("@rows", rows.Append(']').ToString());
            using var reader = command.ExecuteReader();
            var found = new Dictionary<long, StoredRecord>(hits.Length);
            while (reader.Read())
                found[reader.GetInt64(0)] = ReadRecord(reader, include);
            return found;
        });
        var results = new List<QueryHit>(hits.Length);
        foreach (var hit in hits)
        {
            if (byRow.TryGetValue(hit.Label, out var record))
            {
                float distance = (include & Include.Distances) != 0 ? hit.Distance : float.NaN;
                results.Add(new QueryHit(record.Id, distance, record.Embedding, record.Document, record.Metadata));
            }
        }
        return results;
    }

    private static string Columns(Include include) =>
        ((include & Include.Embeddings) != 0 ? ", vector" : ", NULL")
        + ((include & Include.Documents) != 0 ? ", document" : ", NULL")
        + ((include & Include.Metadatas) != 0 ? ", metadata" : ", NULL");

    private StoredRecord ReadRecord(SqliteDataReader reader, Include include)
    {
        string id = reader.GetString(1);
        float[]? vector = reader.IsDBNull(2) ? null : VectorBlob.ToVector((byte[])reader[2], Options.Dimensions, $"collection '{Name}', record '{id}'");
        string? document = reader.IsDBNull(3) ? null : reader.GetString(3);
        var metadata = reader.IsDBNull(4) ? null : MetadataValues.FromJson(reader.GetString(4));
        return new StoredRecord(id, vector, document, metadata);
    }
}
