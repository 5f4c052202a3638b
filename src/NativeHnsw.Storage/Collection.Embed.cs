using System.Globalization;
using System.Numerics.Tensors;
using NativeHnsw.IO;
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
    /// client opens a new handle that rebuilds the index. All or nothing: a record without a document is refused before
    /// any embedding, and a bad embedding or a generator failure rolls the whole transaction back.
    /// </summary>
    /// <remarks>
    /// Documents are read, embedded and written <c>Chunk</c> at a time inside the one transaction, so memory stays at one
    /// chunk whatever the collection's size; the price is that the store's writer is held while the generator runs
    /// (other collections' writes wait; readers do not).
    /// </remarks>
    internal void Reembed(Embedder embedder)
    {
        const int Chunk = 256;
        _client.ThrowIfReadOnly($"re-embedding collection '{Name}'");
        lock (_writeLock)
        {
            ThrowIfGone();
            var (total, missing, firstMissing) = Db.Run(() =>
            {
                using var connection = Db.OpenReader();
                long count = StoreDatabase.Scalar<long>(connection, "SELECT COUNT(*) FROM records WHERE collection = @c;", ("@c", _id));
                long without = StoreDatabase.Scalar<long>(connection, "SELECT COUNT(*) FROM records WHERE collection = @c AND document IS NULL;", ("@c", _id));
                var first = new List<string>();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT id FROM records WHERE collection = @c AND document IS NULL ORDER BY row_id LIMIT 5;";
                command.Parameters.AddWithValue("@c", _id);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                    first.Add(reader.GetString(0));
                return (count, without, first);
            });
            if (missing > 0)
            {
                throw new StoreException(string.Create(CultureInfo.InvariantCulture,
                    $"{EmbedWhere()}: cannot re-embed with {embedder.Identity}: {missing} of {total} records have no document to embed (first: {string.Join(", ", firstMissing.Select(id => "'" + id + "'"))}); give them documents or delete them first. Nothing was changed."));
            }
            Db.Run(() =>
            {
                lock (Db.WriterLock)
                {
                    using var transaction = Db.Writer.BeginTransaction(deferred: false);
                    using var select = Command(transaction, "SELECT row_id, id, document FROM records WHERE collection = @c AND row_id > @after ORDER BY row_id LIMIT @n;", "@c", "@after", "@n");
                    select.Parameters[0].Value = _id;
                    select.Parameters[2].Value = Chunk;
                    using var update = Command(transaction, "UPDATE records SET vector = @v WHERE row_id = @r;", "@v", "@r");
                    var st = Db.Writes.Enlist(transaction, _id);
                    var rows = new List<(long Row, string Id, string Document)>(Chunk);
                    long after = long.MinValue;
                    int position = 0;
                    while (true)
                    {
                        rows.Clear();
                        select.Parameters[1].Value = after;
                        using (var reader = select.ExecuteReader())
                        {
                            while (reader.Read())
                                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
                        }
                        if (rows.Count == 0)
                            break;
                        var embedded = embedder.Embed(rows.ConvertAll(r => r.Document), EmbedWhere());
                        for (int j = 0; j < rows.Count; j++)
                        {
                            update.Parameters[0].Value = VectorBlob.ToBytes(Checked(rows[j].Id, position + j, embedded[j], embedder.Identity));
                            update.Parameters[1].Value = rows[j].Row;
                            update.ExecuteNonQuery();
                            // Logged, so a crash before the old checkpoints are removed still replays every new vector.
                            st.LogChange(ChangeOp.Upsert, rows[j].Row);
                        }
                        position += rows.Count;
                        after = rows[^1].Row;
                    }
                    // A re-embed is logged as a barrier, not as its vectors: it changes the collection's dimensions and
                    // generator, which a point-in-time restore cannot re-create; a restore past it needs a newer snapshot.
                    if (ShipLog.Begin(Db, transaction, _client.Time, _id) is { } ship)
                    {
                        ship.Add(ShipLog.Op.Reembed).Write(ship.Collection);
                        ship.Commit();
                    }
                    Db.Execute(transaction, "UPDATE collections SET dimensions = @d, embedding_model = @m WHERE id = @id;",
                        ("@d", embedder.Identity.Dimensions), ("@m", embedder.Identity.ModelId), ("@id", _id));
                    // Disposing the transaction uncommitted (a throw above) rolls every chunk back.
                    transaction.Commit();
                }
            });
            _replaced = true;
            _index.Dispose();
            // A checkpoint of the old vectors would be "damaged" (other dimensions) or replayed over; the new handle rebuilds.
            foreach (var (_, path) in Layout.Checkpoints(_id))
                FileCleanup.TryDeleteFile(path);
        }
    }
}
