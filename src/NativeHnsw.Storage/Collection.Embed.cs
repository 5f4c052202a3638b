using System.Globalization;
using System.Numerics.Tensors;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

public sealed partial class Collection
{
    /// <summary>
    /// The <paramref name="k"/> records nearest to the embedding of <paramref name="text"/> made by the collection's
    /// embedding generator; see <see cref="Query(ReadOnlySpan{float}, int, Where?, Include, int)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The collection was not opened with an embedding generator.</exception>
    public IReadOnlyList<QueryHit> Query(string text, int k = 10, Where? where = null, Include include = Include.QueryDefault, int ef = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Query([text], k, where, include, ef)[0];
    }

    /// <summary>Chroma's <c>query_texts</c>: one result list per text, the texts embedded in one call of the generator.</summary>
    /// <exception cref="InvalidOperationException">The collection was not opened with an embedding generator.</exception>
    public IReadOnlyList<IReadOnlyList<QueryHit>> Query(IReadOnlyList<string> texts, int k = 10, Where? where = null, Include include = Include.QueryDefault, int ef = 0)
    {
        var embedder = QueryEmbedder(texts, k, ef);
        return QueryEmbedded(embedder.Embed(texts, EmbedWhere()), embedder, k, where, include, ef);
    }

    /// <summary>Query by texts, awaiting the embedding generator.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<QueryHit>>> QueryAsync(IReadOnlyList<string> texts, int k = 10, Where? where = null,
        Include include = Include.QueryDefault, int ef = 0, CancellationToken cancellationToken = default)
    {
        var embedder = QueryEmbedder(texts, k, ef);
        var vectors = await embedder.EmbedAsync(texts, EmbedWhere(), cancellationToken).ConfigureAwait(false);
        return QueryEmbedded(vectors, embedder, k, where, include, ef);
    }

    internal void SetEmbedder(Embedder embedder) => _embedder = embedder;

    private Embedder QueryEmbedder(IReadOnlyList<string> texts, int k, int ef)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(ef);
        ThrowIfGone();
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
                throw new ArgumentException($"collection '{Name}': query text {i} is null.", nameof(texts));
        }
        return _embedder ?? throw new InvalidOperationException(
            $"collection '{Name}' has no embedding generator on this handle, so it cannot embed query texts: query with an embedding, {NoGeneratorHint()}.");
    }

    private List<IReadOnlyList<QueryHit>> QueryEmbedded(float[][] vectors, Embedder embedder, int k, Where? where, Include include, int ef)
    {
        var results = new List<IReadOnlyList<QueryHit>>(vectors.Length);
        for (int i = 0; i < vectors.Length; i++)
        {
            var vector = vectors[i];
            if (vector.Length != Options.Dimensions || !TensorPrimitives.IsFiniteAll(vector))
            {
                throw new StoreException(string.Create(CultureInfo.InvariantCulture,
                    $"{EmbedWhere()}: the embedding of query text {i} from the generator's {embedder.Identity} has {vector.Length} dimensions{(TensorPrimitives.IsFiniteAll(vector) ? "" : " and a NaN or infinite component")}; the collection needs {Options.Dimensions} finite components."));
            }
            results.Add(Query(vector, k, where, include, ef));
        }
        return results;
    }

    /// <summary>
    /// Re-embeds every record's document with <paramref name="embedder"/> and stores the new vectors and identity (and
    /// dimensions, when they change) in one transaction; the handle is then retired and its checkpoints removed, so the
    /// client opens a new handle that rebuilds the index. Every document is embedded and checked before anything is written.
    /// </summary>
    internal void Reembed(Embedder embedder)
    {
        const int Chunk = 256;
        _client.ThrowIfReadOnly($"re-embedding collection '{Name}'");
        lock (_writeLock)
        {
            ThrowIfGone();
            var rows = new List<(long Row, string Id, string? Document)>();
            Db.Run(() =>
            {
                using var connection = Db.OpenReader();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT row_id, id, document FROM records WHERE collection = @c ORDER BY row_id;";
                command.Parameters.AddWithValue("@c", _id);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                    rows.Add((reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            });
            var missing = rows.Where(r => r.Document is null).Select(r => r.Id).ToList();
            if (missing.Count > 0)
            {
                throw new StoreException(string.Create(CultureInfo.InvariantCulture,
                    $"{EmbedWhere()}: cannot re-embed with {embedder.Identity}: {missing.Count} of {rows.Count} records have no document to embed (first: {string.Join(", ", missing.Take(5).Select(id => "'" + id + "'"))}); give them documents or delete them first. Nothing was changed."));
            }
            var vectors = new List<byte[]>(rows.Count);
            for (int start = 0; start < rows.Count; start += Chunk)
            {
                int count = Math.Min(Chunk, rows.Count - start);
                var texts = rows.GetRange(start, count).ConvertAll(r => r.Document!);
                var embedded = embedder.Embed(texts, EmbedWhere());
                for (int j = 0; j < count; j++)
                    vectors.Add(VectorBlob.ToBytes(Checked(rows[start + j].Id, start + j, embedded[j], embedder.Identity)));
            }
            Db.Run(() =>
            {
                lock (Db.WriterLock)
                {
                    using var transaction = Db.Writer.BeginTransaction(deferred: false);
                    using var update = Command(transaction, "UPDATE records SET vector = @v WHERE row_id = @r;", "@v", "@r");
                    using var change = ChangeCommand(transaction);
                    for (int i = 0; i < rows.Count; i++)
                    {
                        update.Parameters[0].Value = vectors[i];
                        update.Parameters[1].Value = rows[i].Row;
                        update.ExecuteNonQuery();
                        // Logged, so a crash before the old checkpoints are removed still replays every new vector.
                        LogChange(change, ChangeOp.Upsert, rows[i].Row);
                    }
                    // A re-embed is logged as a barrier, not as its vectors: it changes the collection's dimensions and
                    // generator, which a point-in-time restore cannot re-create; a restore past it needs a newer snapshot.
                    if (ShipLog.Begin(Db.Writer, transaction, _client.Time) is { } ship)
                    {
                        ship.Add(ShipLog.Op.Reembed).Write(ShipLog.CollectionName(Db.Writer, transaction, _id));
                        ship.Commit();
                    }
                    Db.Execute(transaction, "UPDATE collections SET dimensions = @d, embedding_model = @m WHERE id = @id;",
                        ("@d", embedder.Identity.Dimensions), ("@m", embedder.Identity.ModelId), ("@id", _id));
                    transaction.Commit();
                }
            });
            _replaced = true;
            _index.Dispose();
            // A checkpoint of the old vectors would be "damaged" (other dimensions) or replayed over; the new handle rebuilds.
            foreach (var (_, path) in Layout.Checkpoints(_id))
                TryDelete(path);
        }
    }
}
