using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The one mapping between <see cref="CollectionOptions"/> and the option columns of the <c>collections</c> table:
/// every statement that writes or reads a collection's options uses these columns, in this order.
/// </summary>
internal static class CollectionRows
{
    private static readonly string[] s_columns = ["dimensions", "metric", "m", "ef_construction", "default_ef", "seed"];

    /// <summary>The option columns, comma-separated, each prefixed with <paramref name="qualifier"/> (as "c.").</summary>
    public static string Columns(string qualifier = "") => string.Join(", ", s_columns.Select(c => qualifier + c));

    /// <summary>The parameter names of <see cref="Parameters"/>, comma-separated, in column order.</summary>
    public static string Values { get; } = string.Join(", ", s_columns.Select(c => "@o_" + c));

    public static (string Name, object? Value)[] Parameters(CollectionOptions options) =>
    [
        ("@o_dimensions", options.Dimensions),
        ("@o_metric", (int)options.Metric),
        ("@o_m", options.M),
        ("@o_ef_construction", options.EfConstruction),
        ("@o_default_ef", options.DefaultEf),
        // Stored as SQLite's signed 64-bit integer, bit for bit.
        ("@o_seed", unchecked((long)options.Seed)),
    ];

    /// <summary>Reads the option columns starting at ordinal <paramref name="first"/>.</summary>
    public static CollectionOptions Read(SqliteDataReader reader, int first) => new()
    {
        Dimensions = reader.GetInt32(first),
        Metric = (DistanceMetric)reader.GetInt32(first + 1),
        M = reader.GetInt32(first + 2),
        EfConstruction = reader.GetInt32(first + 3),
        DefaultEf = reader.GetInt32(first + 4),
        Seed = unchecked((ulong)reader.GetInt64(first + 5)),
    };
}
