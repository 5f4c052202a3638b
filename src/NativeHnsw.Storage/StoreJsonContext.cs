using System.Text.Json.Serialization;

namespace NativeHnsw.Storage;

/// <summary>
/// System.Text.Json metadata for the result and info types, generated at compile time, so they serialise without
/// reflection (trimmed and native AOT apps): <c>JsonSerializer.Serialize(hit, StoreJsonContext.Default.QueryHit)</c>.
/// Metadata values (string, long, double, bool) are written as JSON strings, numbers and bools; a distance not asked
/// for (NaN) as <c>"NaN"</c>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(StoredRecord))]
[JsonSerializable(typeof(QueryHit))]
[JsonSerializable(typeof(IReadOnlyList<StoredRecord>))]
[JsonSerializable(typeof(IReadOnlyList<QueryHit>))]
[JsonSerializable(typeof(RecoveryInfo))]
[JsonSerializable(typeof(CollectionOptions))]
[JsonSerializable(typeof(CollectionSnapshot))]
[JsonSerializable(typeof(StoreSnapshot))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(bool))]
public sealed partial class StoreJsonContext : JsonSerializerContext;
