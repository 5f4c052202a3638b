using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NativeHnsw.Distance;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

public sealed partial class Collection
{
    /// <summary>
    /// Inserts new records in one transaction. Every id must be new: an id that exists (or appears twice in the batch)
    /// rejects the whole batch with <see cref="InvalidRecordException"/>, as does a bad vector or metadata value.
    /// Metadata: per record, a map of string, integer, float or bool values (a null value is skipped), or null.
    /// Embeddings may be left out (the list, or an entry) in a collection with an embedding generator: each such
    /// record's document is embedded (a record with neither is refused).
    /// </summary>
    public void Add(IReadOnlyList<string> ids, IReadOnlyList<float[]?>? embeddings = null, IReadOnlyList<string?>? documents = null,
        IReadOnlyList<IReadOnlyDictionary<string, object?>?>? metadatas = null) =>
        Write(WriteKind.Add, Embedded(Validate(WriteKind.Add, ids, embeddings, documents, metadatas)));

    /// <summary>Inserts one record; see <see cref="Add(IReadOnlyList{string}, IReadOnlyList{float[]}, IReadOnlyList{string?}?, IReadOnlyList{IReadOnlyDictionary{string, object?}?}?)"/>.</summary>
    public void Add(string id, float[]? embedding, string? document = null, IReadOnlyDictionary<string, object?>? metadata = null) =>
        Add([id], [embedding], document is null ? null : [document], metadata is null ? null : [metadata]);

    /// <summary>Add, awaiting the embedding generator for the records given without embeddings.</summary>
    public async Task AddAsync(IReadOnlyList<string> ids, IReadOnlyList<float[]?>? embeddings = null, IReadOnlyList<string?>? documents = null,
        IReadOnlyList<IReadOnlyDictionary<string, object?>?>? metadatas = null, CancellationToken cancellationToken = default) =>
        Write(WriteKind.Add, await EmbeddedAsync(Validate(WriteKind.Add, ids, embeddings, documents, metadatas), cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Inserts records that are new and updates those that exist, in one transaction: the vector is replaced, the
    /// document replaced when given (non-null), and the metadata merged when given (a key with a null value is removed).
    /// A record without an embedding has its document embedded by the collection's embedding generator.
    /// </summary>
    public void Upsert(IReadOnlyList<string> ids, IReadOnlyList<float[]?>? embeddings = null, IReadOnlyList<string?>? documents = null,
        IReadOnlyList<IReadOnlyDictionary<string, object?>?>? metadatas = null) =>
        Write(WriteKind.Upsert, Embedded(Validate(WriteKind.Upsert, ids, embeddings, documents, metadatas)));

    /// <summary>Upserts one record.</summary>
    public void Upsert(string id, float[]? embedding, string? document = null, IReadOnlyDictionary<string, object?>? metadata = null) =>
        Upsert([id], [embedding], document is null ? null : [document], metadata is null ? null : [metadata]);

    /// <summary>Upsert, awaiting the embedding generator for the records given without embeddings.</summary>
    public async Task UpsertAsync(IReadOnlyList<string> ids, IReadOnlyList<float[]?>? embeddings = null, IReadOnlyList<string?>? documents = null,
        IReadOnlyList<IReadOnlyDictionary<string, object?>?>? metadatas = null, CancellationToken cancellationToken = default) =>
        Write(WriteKind.Upsert, await EmbeddedAsync(Validate(WriteKind.Upsert, ids, embeddings, documents, metadatas), cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Changes existing records in one transaction: the vector when <paramref name="embeddings"/> is given, the document
    /// when its entry is non-null, the metadata merged when its entry is non-null (a null value removes the key).
    /// In a collection with an embedding generator, a new document without an embedding is embedded, so the vector
    /// follows the document. An id that does not exist rejects the whole batch with <see cref="InvalidRecordException"/>.
    /// </summary>
    public void Update(IReadOnlyList<string> ids, IReadOnlyList<float[]?>? embeddings = null, IReadOnlyList<string?>? documents = null,
        IReadOnlyList<IReadOnlyDictionary<string, object?>?>? metadatas = null) =>
        Write(WriteKind.Update, Embedded(Validate(WriteKind.Update, ids, embeddings, documents, metadatas)));

    /// <summary>Update, awaiting the embedding generator for the new documents given without embeddings.</summary>
    public async Task UpdateAsync(IReadOnlyList<string> ids, IReadOnlyList<float[]?>? embeddings = null, IReadOnlyList<string?>? documents = null,
        IReadOnlyList<IReadOnlyDictionary<string, object?>?>? metadatas = null, CancellationToken cancellationToken = default) =>
        Write(WriteKind.Update, await EmbeddedAsync(Validate(WriteKind.Update, ids, embeddings, documents, metadatas), cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Deletes the records that have one of <paramref name="ids"/> (when given) and match <paramref name="where"/>
    /// (when given), in one transaction; ids that do not exist are ignored. Returns how many were deleted.
    /// </summary>
    /// <exception cref="ArgumentException">Neither ids nor a filter: deleting everything is <see cref="PersistentClient.DeleteCollection"/>.</exception>
    public int Delete(IReadOnlyList<string>? ids = null, Where? where = null)
    {
        _client.ThrowIfReadOnly($"Delete on collection '{Name}'");
        if (ids is null && where is null)
            throw new ArgumentException("Delete needs ids, a where filter, or both; to delete every record, delete the collection.", nameof(ids));
        lock (_writeLock)
        {
            ThrowIfGone();
            var rows = new List<long>();
            var deletedIds = new List<string>();
            long lastSequence = 0;
            Db.Run(() =>
            {
                lock (Db.WriterLock)
                {
                    using var transaction = Db.Writer.BeginTransaction(deferred: false);
                    using (var select = Db.Writer.CreateCommand())
                    {
                        select.Transaction = transaction;
                        select.CommandText = "SELECT row_id, id FROM records WHERE " + Conditions(select, ids, where) + ";";
                        using var reader = select.ExecuteReader();
                        while (reader.Read())
                        {
                            rows.Add(reader.GetInt64(0));
                            deletedIds.Add(reader.GetString(1));
                        }
                    }
                    var st = Db.Writes.Enlist(transaction, _id);
                    var ship = rows.Count == 0 ? null : ShipLog.Begin(Db, transaction, _client.Time, _id);
                    string shipName = ship?.Collection ?? "";
                    for (int i = 0; i < rows.Count; i++)
                    {
                        st.Delete.Parameters[0].Value = rows[i];
                        st.Delete.ExecuteNonQuery();
                        st.Metadata.Delete(rows[i]);
                        lastSequence = st.LogChange(ChangeOp.Delete, rows[i]);
                        ship?.Delete(shipName, deletedIds[i]);
                    }
                    ship?.Commit();
                    transaction.Commit();
                    if (rows.Count > 0)
                        Interlocked.Increment(ref _dataVersion);
                }
            });
            if (rows.Count == 0)
                return 0;
            Volatile.Write(ref _lastSequence, lastSequence);
            ApplyToIndex(() =>
            {
                foreach (long row in rows)
                {
                    if (_index.Contains(row))
                        _index.MarkDeleted(row);
                }
            });
            AfterChanges(rows.Count);
            return rows.Count;
        }
    }

    private void Write(WriteKind kind, List<PendingRecord> batch)
    {
        if (batch.Count == 0)
            return;
        lock (_writeLock)
        {
            ThrowIfGone();
            var labels = new List<long>(batch.Count);
            var vectors = new List<float[]>(batch.Count);
            long lastSequence = 0;
            Db.Run(() =>
            {
                lock (Db.WriterLock)
                {
                    using var transaction = Db.Writer.BeginTransaction(deferred: false);
                    var st = Db.Writes.Enlist(transaction, _id);
                    var ship = ShipLog.Begin(Db, transaction, _client.Time, _id);
                    string shipName = ship?.Collection ?? "";
                    for (int i = 0; i < batch.Count; i++)
                    {
                        var record = batch[i];
                        st.Select.Parameters[1].Value = record.Id;
                        long row = -1;
                        byte[]? oldVector = null;
                        string? oldDocument = null, oldMetadata = null;
                        using (var reader = st.Select.ExecuteReader())
                        {
                            if (reader.Read())
                            {
                                row = reader.GetInt64(0);
                                oldVector = (byte[])reader[1];
                                oldDocument = reader.IsDBNull(2) ? null : reader.GetString(2);
                                oldMetadata = reader.IsDBNull(3) ? null : reader.GetString(3);
                            }
                        }
                        if (row >= 0 && kind == WriteKind.Add)
                            throw new InvalidRecordException(Name, record.Id, i, "a record with this id exists already (use Upsert to replace it)");
                        if (row < 0 && kind == WriteKind.Update)
                            throw new InvalidRecordException(Name, record.Id, i, "no record with this id exists (use Upsert to insert it)");
                        if (row < 0)
                        {
                            byte[] vectorBytes = VectorBlob.ToBytes(record.Vector);
                            var metadata = Merge(null, record.Patch);
                            string? metadataJson = MetadataValues.ToJson(metadata);
                            st.Insert.Parameters[1].Value = record.Id;
                            st.Insert.Parameters[2].Value = vectorBytes;
                            st.Insert.Parameters[3].Value = (object?)record.Document ?? DBNull.Value;
                            st.Insert.Parameters[4].Value = (object?)metadataJson ?? DBNull.Value;
                            ship?.Upsert(shipName, record.Id, vectorBytes, record.Document, metadataJson);
                            row = (long)st.Insert.ExecuteScalar()!;
                            st.Metadata.Insert(row, metadata);
                            labels.Add(row);
                            vectors.Add(record.Vector!);
                            lastSequence = st.LogChange(ChangeOp.Upsert, row);
                            continue;
                        }
                        byte[] newVector = record.Vector is null ? oldVector! : VectorBlob.ToBytes(record.Vector);
                        string? newDocument = record.SetDocument ? record.Document : oldDocument;
                        var merged = record.Patch is null ? null : Merge(MetadataValues.FromJson(oldMetadata), record.Patch);
                        string? newMetadata = record.Patch is null ? oldMetadata : MetadataValues.ToJson(merged);
                        bool vectorChanged = !newVector.AsSpan().SequenceEqual(oldVector);
                        if (!vectorChanged && newDocument == oldDocument && newMetadata == oldMetadata)
                            continue;
                        ship?.Upsert(shipName, record.Id, newVector, newDocument, newMetadata);
                        st.Update.Parameters[0].Value = newVector;
                        st.Update.Parameters[1].Value = (object?)newDocument ?? DBNull.Value;
                        st.Update.Parameters[2].Value = (object?)newMetadata ?? DBNull.Value;
                        st.Update.Parameters[3].Value = row;
                        st.Update.ExecuteNonQuery();
                        if (newMetadata != oldMetadata)
                        {
                            st.Metadata.Delete(row);
                            st.Metadata.Insert(row, merged);
                        }
                        if (vectorChanged)
                        {
                            labels.Add(row);
                            vectors.Add(record.Vector!);
                            lastSequence = st.LogChange(ChangeOp.Upsert, row);
                        }
                    }
                    ship?.Commit();
                    transaction.Commit();
                    Interlocked.Increment(ref _dataVersion);
                }
            });
            if (labels.Count == 0)
                return;
            Volatile.Write(ref _lastSequence, lastSequence);
            ApplyToIndex(() =>
            {
                if (labels.Count == 1)
                {
                    _index.Add(labels[0], vectors[0]);
                    return;
                }
                int dims = Options.Dimensions;
                var flat = new float[labels.Count * dims];
                for (int i = 0; i < vectors.Count; i++)
                    vectors[i].CopyTo(flat, i * dims);
                _index.AddRange(labels.ToArray(), flat, _client.Options.MaxDegreeOfParallelism);
            });
            AfterChanges(labels.Count);
        }
    }

    /// <summary>
    /// The commit is done; an index that fails to follow it (out of memory, say) no longer matches the database.
    /// The collection then refuses further work until the store is reopened, which rebuilds it from the database.
    /// Reported as <see cref="IndexUpdateFailedException"/>, not a <see cref="StoreException"/>: the database changed.
    /// </summary>
    private void ApplyToIndex(Action apply)
    {
        try
        {
            apply();
        }
        catch (Exception e)
        {
            _indexBroken = true;
            throw new IndexUpdateFailedException(_client.Layout.Root, Name, e);
        }
    }

    private void AfterChanges(int count)
    {
        int pending = Interlocked.Add(ref _pendingChanges, count);
        int every = _client.Options.Checkpoints.EveryChanges;
        if (every > 0 && pending >= every)
            CheckpointLocked();
    }

    private static Dictionary<string, object>? Merge(Dictionary<string, object>? existing, Dictionary<string, object?>? patch)
    {
        if (patch is null)
            return existing;
        var merged = existing ?? new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (value is null)
                merged.Remove(key);
            else
                merged[key] = value;
        }
        return merged;
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = WriteStatements.Command(Db.Writer, sql, parameters);
        command.Transaction = transaction;
        return command;
    }

    /// <summary>The WHERE conditions for a collection, ids and a filter; adds the parameters to <paramref name="command"/>.</summary>
    private string Conditions(SqliteCommand command, IReadOnlyList<string>? ids, Where? where)
    {
        command.Parameters.AddWithValue("@c", _id);
        string sql = "collection = @c";
        if (ids is not null)
        {
            command.Parameters.AddWithValue("@ids", JsonSerializer.Serialize(ids, StoreJsonContext.Default.IReadOnlyListString));
            sql += " AND id IN (SELECT value FROM json_each(@ids))";
        }
        if (where is not null)
            sql += " AND " + WhereSql.Translate(where, command);
        return sql;
    }

    /// <summary>A validated batch and the positions of its records whose documents are still to be embedded.</summary>
    private readonly record struct ValidatedBatch(List<PendingRecord> Records, List<int> ToEmbed);

    private ValidatedBatch Validate(WriteKind kind, IReadOnlyList<string> ids, IReadOnlyList<float[]?>? embeddings,
        IReadOnlyList<string?>? documents, IReadOnlyList<IReadOnlyDictionary<string, object?>?>? metadatas)
    {
        _client.ThrowIfReadOnly(string.Create(CultureInfo.InvariantCulture, $"{kind} on collection '{Name}'"));
        ArgumentNullException.ThrowIfNull(ids);
        var embedder = _embedder;
        if (kind != WriteKind.Update && embeddings is null && embedder is null)
            throw new ArgumentException($"collection '{Name}' has no embedding generator, so {kind} needs embeddings: give one per id, {NoGeneratorHint()}.", nameof(embeddings));
        int n = ids.Count;
        CheckCount(embeddings?.Count, n, nameof(embeddings));
        CheckCount(documents?.Count, n, nameof(documents));
        CheckCount(metadatas?.Count, n, nameof(metadatas));
        var seen = new Dictionary<string, int>(n, StringComparer.Ordinal);
        var batch = new List<PendingRecord>(n);
        var toEmbed = new List<int>();
        for (int i = 0; i < n; i++)
        {
            string? id = ids[i];
            if (string.IsNullOrEmpty(id))
                throw new InvalidRecordException(Name, null, i, "the id is null or empty");
            if (!seen.TryAdd(id, i))
                throw new InvalidRecordException(Name, id, i, $"the id appears twice in the batch (first at position {seen[id]})");
            float[]? vector = embeddings?[i];
            string? document = documents?[i];
            if (vector is null && embedder is not null && document is not null)
            {
                toEmbed.Add(i);
            }
            else if (vector is null && kind != WriteKind.Update)
            {
                throw new InvalidRecordException(Name, id, i, embedder is null
                    ? $"the embedding is null and the collection has no embedding generator ({NoGeneratorHint()})"
                    : "the embedding is null and there is no document to embed");
            }
            if (vector is not null)
                vector = Checked(id, i, vector, null);
            Dictionary<string, object?>? patch = null;
            if (metadatas?[i] is { } metadata)
            {
                patch = new Dictionary<string, object?>(metadata.Count, StringComparer.Ordinal);
                foreach (var (key, value) in metadata)
                {
                    if (MetadataValues.KeyProblem(key) is { } keyProblem)
                        throw new InvalidRecordException(Name, id, i, keyProblem);
                    if (value is null)
                    {
                        patch[key] = null;
                        continue;
                    }
                    patch[key] = MetadataValues.Normalize(value, out string? problem)
                        ?? throw new InvalidRecordException(Name, id, i, $"metadata '{key}': {problem}");
                }
            }
            batch.Add(new PendingRecord(id, vector, document is not null, document, patch));
        }
        return new ValidatedBatch(batch, toEmbed);
    }

    /// <summary>The batch with its documents embedded (the generator is called once for all of them), validated like given vectors.</summary>
    private List<PendingRecord> Embedded(ValidatedBatch batch)
    {
        if (batch.ToEmbed.Count == 0)
            return batch.Records;
        var embedder = _embedder!;
        var texts = batch.ToEmbed.ConvertAll(i => batch.Records[i].Document!);
        return WithVectors(batch, embedder, embedder.Embed(texts, EmbedWhere()));
    }

    private async Task<List<PendingRecord>> EmbeddedAsync(ValidatedBatch batch, CancellationToken cancellationToken)
    {
        if (batch.ToEmbed.Count == 0)
            return batch.Records;
        var embedder = _embedder!;
        var texts = batch.ToEmbed.ConvertAll(i => batch.Records[i].Document!);
        return WithVectors(batch, embedder, await embedder.EmbedAsync(texts, EmbedWhere(), cancellationToken).ConfigureAwait(false));
    }

    private List<PendingRecord> WithVectors(ValidatedBatch batch, Embedder embedder, float[][] vectors)
    {
        var records = batch.Records;
        for (int j = 0; j < vectors.Length; j++)
        {
            int i = batch.ToEmbed[j];
            records[i] = records[i] with { Vector = Checked(records[i].Id, i, vectors[j], embedder.Identity) };
        }
        return records;
    }

    /// <summary>A copy of <paramref name="vector"/> once it fits the collection; <paramref name="generatedBy"/> names the generator that made it, if one did.</summary>
    private float[] Checked(string id, int position, float[] vector, EmbeddingIdentity? generatedBy)
    {
        string source = generatedBy is null ? "the embedding" : $"the embedding of its document from the generator's {generatedBy}";
        // A re-embed checks against the generator's dimensions, which become the collection's.
        int dims = generatedBy?.Dimensions ?? Options.Dimensions;
        switch (VectorValidation.FindProblem(vector, dims, Options.Metric, out int bad))
        {
            case VectorProblem.WrongDimensions:
                throw new InvalidRecordException(Name, id, position, $"{source} has {vector.Length} dimensions, the collection {dims}");
            case VectorProblem.NotFinite:
                throw new InvalidRecordException(Name, id, position, $"component {bad} of {source} is {vector[bad]}; every component must be finite");
            case VectorProblem.ZeroUnderCosine:
                throw new InvalidRecordException(Name, id, position, $"{source} is all zeros, which has no direction under the cosine metric");
        }
        return (float[])vector.Clone();
    }

    private string EmbedWhere() => $"{_client.Path}: collection '{Name}'";

    private string NoGeneratorHint() => EmbeddingIdentity is { } stored
        ? $"or open it with its embedding generator ({stored}) through GetCollection(name, generator)"
        : "or create the collection with an embedding generator to embed documents";

    private static void CheckCount(int? count, int expected, string name)
    {
        if (count is { } c && c != expected)
            throw new ArgumentException($"{name} has {c} entries for {expected} ids; give one per id, or none.", name);
    }
}
