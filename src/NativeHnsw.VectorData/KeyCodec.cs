using System.Globalization;
using Microsoft.Extensions.VectorData;

namespace NativeHnsw.VectorData;

/// <summary>
/// Keys ↔ the store's string ids. A string key is the id itself; a Guid is its 36-character "D" form (lower case);
/// an int or a long is its invariant decimal text. The encoding is reversible, and a record whose id does not decode
/// to the collection's key type (written as a string id by another client) fails its read with a message naming it.
/// </summary>
internal static class KeyCodec
{
    public static readonly Type[] SupportedTypes = [typeof(string), typeof(Guid), typeof(int), typeof(long)];

    public const string SupportedTypeNames = "string, Guid, int, long";

    public static string Encode(object? key, Type keyType) => key switch
    {
        null => throw new ArgumentNullException(nameof(key), "a record key is null."),
        string s when keyType == typeof(string) => s.Length == 0 ? throw new ArgumentException("a record key is an empty string.", nameof(key)) : s,
        Guid g when keyType == typeof(Guid) => g.ToString("D"),
        int i when keyType == typeof(int) => i.ToString(CultureInfo.InvariantCulture),
        long l when keyType == typeof(long) => l.ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"a key of type {key.GetType().Name} was given; the collection's keys are {keyType.Name}.", nameof(key)),
    };

    public static object Decode(string id, Type keyType, string collection)
    {
        if (keyType == typeof(string))
            return id;
        if (keyType == typeof(Guid) && id.Length == 36 && Guid.TryParseExact(id, "D", out var g))
            return g;
        if (keyType == typeof(int) && int.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i) && Encode(i, keyType) == id)
            return i;
        if (keyType == typeof(long) && long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) && Encode(l, keyType) == id)
            return l;
        throw new VectorStoreException($"collection '{collection}': record id '{id}' is not a {keyType.Name} key; it was not written through a {keyType.Name}-keyed collection.")
        {
            VectorStoreSystemName = NativeHnswVectorStore.SystemName,
            CollectionName = collection,
        };
    }
}
