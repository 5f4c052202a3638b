using System.Globalization;

namespace NativeHnsw.Storage.Tests;

/// <summary>Small helpers for metadata in tests.</summary>
public static class Meta
{
    public static IReadOnlyDictionary<string, object?> Of(params (string Key, object? Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>A canonical text of a metadata map ("k=v,…" in ordinal key order; floats with a fraction), or "" for none.</summary>
    public static string Text(IReadOnlyDictionary<string, object>? metadata) =>
        metadata is null ? "" : string.Join(",", metadata.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + Value(p.Value)));

    public static string Value(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture) + "d",
        bool b => b ? "true" : "false",
        string s => "\"" + s + "\"",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    /// <summary>
    /// The documented <see cref="Where"/> semantics, evaluated in C# (the reference the SQL translation is tested against).
    /// </summary>
    public static bool Matches(Where where, IReadOnlyDictionary<string, object>? metadata, string? document = null) => where.Kind switch
    {
        WhereKind.And => where.Children.All(c => Matches(c, metadata, document)),
        WhereKind.Or => where.Children.Any(c => Matches(c, metadata, document)),
        WhereKind.Document => MatchesDocument(where, document),
        _ => Compare(where, metadata),
    };

    private static bool MatchesDocument(Where where, string? document)
    {
        string text = (string)where.Values[0];
        return where.Operator switch
        {
            WhereOperator.Contains => document is not null && document.Contains(text, StringComparison.Ordinal),
            WhereOperator.NotContains => document is null || !document.Contains(text, StringComparison.Ordinal),
            WhereOperator.Regex => document is not null && System.Text.RegularExpressions.Regex.IsMatch(document, text, System.Text.RegularExpressions.RegexOptions.CultureInvariant),
            _ => document is null || !System.Text.RegularExpressions.Regex.IsMatch(document, text, System.Text.RegularExpressions.RegexOptions.CultureInvariant),
        };
    }

    private static bool Compare(Where where, IReadOnlyDictionary<string, object>? metadata)
    {
        object? actual = metadata is not null && metadata.TryGetValue(where.Key!, out var v) ? v : null;
        return where.Operator switch
        {
            WhereOperator.Eq => EqualValue(actual, where.Values[0]),
            WhereOperator.Ne => !EqualValue(actual, where.Values[0]),
            WhereOperator.In => where.Values.Any(x => EqualValue(actual, x)),
            WhereOperator.Nin => !where.Values.Any(x => EqualValue(actual, x)),
            _ => actual is long or double && Order(Number(actual), Number(where.Values[0]), where.Operator),
        };
    }

    private static bool EqualValue(object? actual, object expected) => (actual, expected) switch
    {
        (null, _) => false,
        (string a, string b) => a == b,
        (bool a, bool b) => a == b,
        (long or double, long or double) => Number(actual) == Number(expected),
        _ => false,
    };

    private static bool Order(double a, double b, WhereOperator op) => op switch
    {
        WhereOperator.Gt => a > b,
        WhereOperator.Gte => a >= b,
        WhereOperator.Lt => a < b,
        _ => a <= b,
    };

    private static double Number(object value) => value is long l ? l : (double)value;
}
