using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;
using NativeHnsw.Storage;

namespace NativeHnsw.VectorData;

/// <summary>
/// A record ↔ one stored record: the key as the id (<see cref="KeyCodec"/>), the vector as the embedding, each data
/// property as a metadata entry under its storage name (a null value is stored as no entry), and, when the vector is
/// generated from a string, that string as the document (read back into the string property).
/// </summary>
internal sealed class RecordMapper(CollectionModel model, string collection)
{
    public CollectionModel Model { get; } = model;

    public KeyPropertyModel Key => Model.KeyProperty;

    public VectorPropertyModel Vector => Model.VectorProperty;

    /// <summary>The vector property holds something to embed (a string), not the vector itself.</summary>
    public bool GeneratesEmbeddings => !NativeHnswModelBuilder.IsNativeVectorType(Vector.Type);

    public string Id(object record) => KeyCodec.Encode(Key.GetValueAsObject(record), Key.Type);

    public Dictionary<string, object?> Metadata(object record)
    {
        var metadata = new Dictionary<string, object?>(Model.DataProperties.Count, StringComparer.Ordinal);
        foreach (var data in Model.DataProperties)
        {
            object? value = data.GetValueAsObject(record);
            metadata[data.StorageName] = value is float f ? FloatValues.ToStored(f) : value;
        }
        return metadata;
    }

    public float[] StoredVector(object record, int index)
    {
        object? value = Vector.GetValueAsObject(record);
        float[] vector = value switch
        {
            ReadOnlyMemory<float> m => m.ToArray(),
            float[] a => a,
            Embedding<float> e => e.Vector.ToArray(),
            null => throw new ArgumentException($"collection '{collection}': record {index} has no vector in '{Vector.ModelName}'; NativeHnsw stores a vector with every record."),
            _ => throw new ArgumentException($"collection '{collection}': vector property '{Vector.ModelName}' holds a {value.GetType().Name}."),
        };
        if (vector.Length != Vector.Dimensions)
            throw new ArgumentException($"collection '{collection}': record {index}'s vector has {vector.Length} dimensions, property '{Vector.ModelName}' {Vector.Dimensions}.");
        return vector;
    }

    public TRecord Read<TRecord>(string id, float[]? embedding, IReadOnlyDictionary<string, object>? metadata, bool includeVectors, string? document = null)
    {
        var record = Model.CreateRecord<TRecord>();
        object target = record!;
        Key.SetValueAsObject(target, KeyCodec.Decode(id, Key.Type, collection));
        foreach (var data in Model.DataProperties)
        {
            object? stored = metadata is not null && metadata.TryGetValue(data.StorageName, out var v) ? v : null;
            data.SetValueAsObject(target, Convert(stored, data, id));
        }
        if (document is not null && GeneratesEmbeddings && (Nullable.GetUnderlyingType(Vector.Type) ?? Vector.Type) == typeof(string))
            Vector.SetValueAsObject(target, document);
        if (includeVectors && embedding is not null)
        {
            var type = Nullable.GetUnderlyingType(Vector.Type) ?? Vector.Type;
            object vector = type == typeof(float[]) ? embedding
                : type == typeof(Embedding<float>) ? new Embedding<float>(embedding)
                : new ReadOnlyMemory<float>(embedding);
            Vector.SetValueAsObject(target, vector);
        }
        return record;
    }

    private object? Convert(object? stored, DataPropertyModel data, string id)
    {
        var type = Nullable.GetUnderlyingType(data.Type) ?? data.Type;
        if (stored is null)
            return type.IsValueType && Nullable.GetUnderlyingType(data.Type) is null ? Activator.CreateInstance(type) : null;
        try
        {
            return stored switch
            {
                _ when type == typeof(string) => stored as string ?? throw Mismatch(),
                _ when type == typeof(bool) => stored as bool? ?? throw Mismatch(),
                long l when type == typeof(long) => l,
                long l when type == typeof(int) => checked((int)l),
                long l when type == typeof(short) => checked((short)l),
                long l when type == typeof(byte) => checked((byte)l),
                double d when type == typeof(double) => d,
                long l when type == typeof(double) => (double)l,
                double d when type == typeof(float) => (float)d,
                long l when type == typeof(float) => (float)l,
                _ => throw Mismatch(),
            };
        }
        catch (OverflowException)
        {
            throw Mismatch();
        }

        VectorStoreException Mismatch() => new($"collection '{collection}', record '{id}': metadata '{data.StorageName}' holds {stored} ({stored.GetType().Name}), which does not fit property '{data.ModelName}' ({data.Type.Name}).")
        {
            VectorStoreSystemName = NativeHnswVectorStore.SystemName,
            CollectionName = collection,
        };
    }
}
