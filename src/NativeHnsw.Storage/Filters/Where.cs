using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>
/// A metadata filter with Chroma's <c>where</c> syntax and semantics.
/// </summary>
/// <remarks>
/// <para>Syntax (JSON): <c>{"key": value}</c> is <c>{"key": {"$eq": value}}</c>; an operator object holds exactly one of
/// <c>$eq $ne $gt $gte $lt $lte $in $nin</c>; <c>{"$and": [w, …]}</c> and <c>{"$or": [w, …]}</c> take a non-empty list of
/// filters. An object with several keys is their <c>$and</c> (Chroma asks for an explicit <c>$and</c>; we accept both).
/// Values are strings, numbers or bools; <c>$in</c>/<c>$nin</c> take a non-empty list of values of one type;
/// <c>$gt $gte $lt $lte</c> take numbers only.</para>
/// <para>Semantics: a record matches <c>$eq</c> when it has the key with an equal value of the same type (integers and
/// floats are both numbers and compare numerically: 1 equals 1.0; a string "1" never equals the number 1; bools equal
/// only bools). Comparisons match only records whose value under the key is a number. <c>$in</c> is an <c>$or</c> of
/// <c>$eq</c>. <c>$ne</c> is exactly <c>not $eq</c> and <c>$nin</c> exactly <c>not $in</c>: a record that lacks the
/// key, or holds a value of another type, matches them — Chroma's behaviour since 0.5.12 (before it, records lacking
/// the key did not match). A record without metadata matches only <c>$ne</c>/<c>$nin</c>.</para>
/// <para>Limits: filters nest at most <see cref="MaxDepth"/> levels (a comparison is one level, each <c>$and</c>/<c>$or</c>
/// around it one more); a deeper one is refused where it is built or parsed, with <see cref="FilterSyntaxException"/>
/// naming the depth. Lists (<c>$in</c>, <c>$nin</c>) and <c>$and</c>/<c>$or</c> members have no limit of their own.</para>
/// </remarks>
public sealed class Where
{
    private readonly Where[] _children;
    private readonly object[] _values;

    /// <summary>
    /// How deeply filters may nest: a comparison is depth 1, an <c>$and</c>/<c>$or</c> one more than its deepest member.
    /// Deeper filters are refused (<see cref="FilterSyntaxException"/>): they are translated to nested SQL and walked
    /// recursively, and 100 levels is far beyond any filter written by hand or generated from a query language.
    /// </summary>
    public const int MaxDepth = 100;

    private Where(WhereKind kind, Where[] children, string? key, WhereOperator op, object[] values)
    {
        Kind = kind;
        _children = children;
        Key = key;
        Operator = op;
        _values = values;
        int deepest = 0;
        foreach (var child in children)
            deepest = Math.Max(deepest, child.Depth);
        Depth = deepest + 1;
    }

    /// <summary>1 for a comparison; one more than the deepest member for <c>$and</c>/<c>$or</c>; at most <see cref="MaxDepth"/>.</summary>
    public int Depth { get; }

    public WhereKind Kind { get; }

    /// <summary>The filters of an <c>$and</c>/<c>$or</c>; empty for a comparison.</summary>
    public IReadOnlyList<Where> Children => _children;

    /// <summary>The metadata key of a comparison.</summary>
    public string? Key { get; }

    public WhereOperator Operator { get; }

    /// <summary>The value of a comparison (one), or the list of <c>$in</c>/<c>$nin</c>: strings, longs, doubles or bools.</summary>
    public IReadOnlyList<object> Values => _values;

    /// <summary>Parses a JSON <c>where</c> object.</summary>
    /// <exception cref="FilterSyntaxException">Not JSON, or not the documented syntax; the message names the place.</exception>
    public static Where Parse(string json)
    {
        using var document = ParseJson(json);
        return FromJson(document.RootElement);
    }

    /// <inheritdoc cref="Parse"/>
    public static Where FromJson(JsonElement element) => ParseFilter(element, "$");

    public static Where Eq(string key, object value) => Compare(key, WhereOperator.Eq, value);

    public static Where Ne(string key, object value) => Compare(key, WhereOperator.Ne, value);

    public static Where Gt(string key, object value) => Compare(key, WhereOperator.Gt, value);

    public static Where Gte(string key, object value) => Compare(key, WhereOperator.Gte, value);

    public static Where Lt(string key, object value) => Compare(key, WhereOperator.Lt, value);

    public static Where Lte(string key, object value) => Compare(key, WhereOperator.Lte, value);

    public static Where In(string key, params object[] values) => Compare(key, WhereOperator.In, values);

    public static Where Nin(string key, params object[] values) => Compare(key, WhereOperator.Nin, values);

    /// <summary>Records whose document contains <paramref name="text"/> (ordinal, case-sensitive; any script).</summary>
    public static Where DocumentContains(string text) => Document(WhereOperator.Contains, text, "$");

    /// <summary>Records whose document does not contain <paramref name="text"/>, or that have no document.</summary>
    public static Where DocumentNotContains(string text) => Document(WhereOperator.NotContains, text, "$");

    /// <summary>Records whose document matches the .NET regular expression <paramref name="pattern"/> (culture-invariant; evaluated with a time limit of <see cref="RegexTimeout"/> per document).</summary>
    public static Where DocumentRegex(string pattern) => Document(WhereOperator.Regex, pattern, "$");

    /// <summary>Records whose document does not match <paramref name="pattern"/>, or that have no document.</summary>
    public static Where DocumentNotRegex(string pattern) => Document(WhereOperator.NotRegex, pattern, "$");

    /// <summary>How long one <c>$regex</c> may run on one document before the filter fails with <see cref="StoreException"/>.</summary>
    public static TimeSpan RegexTimeout { get; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Parses Chroma's <c>where_document</c> JSON: <c>{"$contains": text}</c>, <c>$not_contains</c>, <c>$regex</c>,
    /// <c>$not_regex</c>, and <c>{"$and": […]}</c>/<c>{"$or": […]}</c> of those. The result is a <see cref="Where"/>,
    /// so it combines with a metadata filter through <see cref="And"/>.
    /// </summary>
    /// <exception cref="FilterSyntaxException">Not JSON, or not that syntax; the message names the place.</exception>
    public static Where ParseDocument(string json)
    {
        using var document = ParseJson(json);
        return ParseDocumentFilter(document.RootElement, "$");
    }

    public static Where And(params Where[] filters) => Logical(WhereKind.And, filters);

    public static Where Or(params Where[] filters) => Logical(WhereKind.Or, filters);

    /// <summary>The filter as canonical JSON (every comparison with its explicit operator).</summary>
    public override string ToString()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        if (Kind == WhereKind.Document)
        {
            writer.WritePropertyName(DocumentKey);
            writer.WriteStartObject();
            writer.WriteString(OperatorName(Operator), (string)_values[0]);
            writer.WriteEndObject();
        }
        else if (Kind == WhereKind.Comparison)
        {
            writer.WritePropertyName(Key!);
            writer.WriteStartObject();
            writer.WritePropertyName(OperatorName(Operator));
            if (Operator is WhereOperator.In or WhereOperator.Nin)
            {
                writer.WriteStartArray();
                foreach (var v in _values)
                    MetadataValues.WriteValue(writer, v);
                writer.WriteEndArray();
            }
            else
            {
                MetadataValues.WriteValue(writer, _values[0]);
            }
            writer.WriteEndObject();
        }
        else
        {
            writer.WritePropertyName(Kind == WhereKind.And ? "$and" : "$or");
            writer.WriteStartArray();
            foreach (var child in _children)
                child.Write(writer);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    internal static string OperatorName(WhereOperator op) => op switch
    {
        WhereOperator.Eq => "$eq",
        WhereOperator.Ne => "$ne",
        WhereOperator.Gt => "$gt",
        WhereOperator.Gte => "$gte",
        WhereOperator.Lt => "$lt",
        WhereOperator.Lte => "$lte",
        WhereOperator.In => "$in",
        WhereOperator.Nin => "$nin",
        WhereOperator.Contains => "$contains",
        WhereOperator.NotContains => "$not_contains",
        WhereOperator.Regex => "$regex",
        _ => "$not_regex",
    };

    /// <summary>The key under which a metadata filter holds a document test (Chroma's name for the document field).</summary>
    public const string DocumentKey = "#document";

    private static Where Document(WhereOperator op, string text, string path)
    {
        if (text is null)
            throw new FilterSyntaxException(path, $"{OperatorName(op)} takes a string, got null");
        if (op is WhereOperator.Regex or WhereOperator.NotRegex)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(text, System.Text.RegularExpressions.RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException e)
            {
                throw new FilterSyntaxException(path, $"{OperatorName(op)}: not a valid regular expression: {e.Message}", e);
            }
        }
        return new Where(WhereKind.Document, [], null, op, [text]);
    }

    private static Where ParseDocumentFilter(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new FilterSyntaxException(path, $"expected an object, got {JsonKind(element)}");
        var parts = new List<Where>();
        foreach (var property in element.EnumerateObject())
        {
            string at = $"{path}.{property.Name}";
            switch (property.Name)
            {
                case "$and" or "$or":
                    if (property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() == 0)
                        throw new FilterSyntaxException(at, $"{property.Name} takes a non-empty list of document filters");
                    var children = new List<Where>();
                    int i = 0;
                    foreach (var item in property.Value.EnumerateArray())
                        children.Add(ParseDocumentFilter(item, $"{at}[{i++}]"));
                    parts.Add(CheckDepth(new Where(property.Name == "$and" ? WhereKind.And : WhereKind.Or, [.. children], null, default, []), at));
                    break;
                default:
                    parts.Add(ParseDocumentOperator(property, at));
                    break;
            }
        }
        return parts.Count switch
        {
            0 => throw new FilterSyntaxException(path, "an empty document filter object"),
            1 => parts[0],
            _ => CheckDepth(new Where(WhereKind.And, [.. parts], null, default, []), path),
        };
    }

    private static Where ParseDocumentOperator(JsonProperty property, string path)
    {
        WhereOperator op = property.Name switch
        {
            "$contains" => WhereOperator.Contains,
            "$not_contains" => WhereOperator.NotContains,
            "$regex" => WhereOperator.Regex,
            "$not_regex" => WhereOperator.NotRegex,
            _ => throw new FilterSyntaxException(path, $"unknown document operator '{property.Name}' (expected $contains, $not_contains, $regex, $not_regex, $and or $or)"),
        };
        if (property.Value.ValueKind != JsonValueKind.String)
            throw new FilterSyntaxException(path, $"{property.Name} takes a string, got {JsonKind(property.Value)}");
        return Document(op, property.Value.GetString()!, path);
    }

    private static Where Logical(WhereKind kind, Where[] filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        string name = kind == WhereKind.And ? "$and" : "$or";
        if (filters.Length == 0)
            throw new FilterSyntaxException($"$.{name}", $"{name} needs at least one filter");
        for (int i = 0; i < filters.Length; i++)
        {
            if (filters[i] is null)
                throw new FilterSyntaxException($"$.{name}[{i}]", "null filter");
        }
        return CheckDepth(new Where(kind, (Where[])filters.Clone(), null, default, []), "$");
    }

    private static JsonDocument ParseJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            // Deep enough for any filter within MaxDepth (two JSON levels per $and/$or, three for a list comparison),
            // so the depth check, which names the filter's depth, is the one that refuses a deep filter.
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2 * MaxDepth + 8 });
        }
        catch (JsonException e)
        {
            throw new FilterSyntaxException("$", $"not valid JSON (or nested far deeper than the {MaxDepth} levels a filter may have): {e.Message}", e);
        }
    }

    private static Where CheckDepth(Where where, string path)
    {
        if (where.Depth > MaxDepth)
        {
            throw new FilterSyntaxException(path, string.Create(CultureInfo.InvariantCulture,
                $"the filter nests {where.Depth} levels deep ($and/$or inside $and/$or); at most {MaxDepth} are supported"));
        }
        return where;
    }

    private static Where Compare(string key, WhereOperator op, object value)
    {
        string path = $"$.{key}";
        if (MetadataValues.KeyProblem(key) is { } keyProblem)
            throw new FilterSyntaxException(path, keyProblem);
        object[] values;
        if (op is WhereOperator.In or WhereOperator.Nin)
        {
            if (value is not System.Collections.IEnumerable list || value is string)
                throw new FilterSyntaxException(path, $"{OperatorName(op)} takes a list of values");
            values = [.. list.Cast<object>()];
        }
        else
        {
            values = [value];
        }
        return MakeComparison(key, op, values, path);
    }

    private static Where MakeComparison(string key, WhereOperator op, object[] raw, string path)
    {
        bool list = op is WhereOperator.In or WhereOperator.Nin;
        if (list && raw.Length == 0)
            throw new FilterSyntaxException(path, $"{OperatorName(op)} needs a non-empty list");
        var values = new object[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            string at = list ? $"{path}[{i}]" : path;
            values[i] = MetadataValues.Normalize(raw[i], out string? problem) ?? throw new FilterSyntaxException(at, problem!);
            if (op is WhereOperator.Gt or WhereOperator.Gte or WhereOperator.Lt or WhereOperator.Lte && values[i] is not (long or double))
                throw new FilterSyntaxException(at, $"{OperatorName(op)} compares numbers only, got {Describe(values[i])}");
            if (i > 0 && TypeClass(values[i]) != TypeClass(values[0]))
                throw new FilterSyntaxException(at, $"the values of {OperatorName(op)} must be of one type: {Describe(values[0])} and {Describe(values[i])}");
        }
        return new Where(WhereKind.Comparison, [], key, op, values);
    }

    private static int TypeClass(object value) => value switch
    {
        string => 0,
        bool => 1,
        _ => 2,
    };

    private static string Describe(object value) => value switch
    {
        string s => $"the string \"{s}\"",
        bool b => b ? "true" : "false",
        double d => MetadataValues.FloatText(d),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static Where ParseFilter(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new FilterSyntaxException(path, $"expected an object, got {JsonKind(element)}");
        var parts = new List<Where>();
        foreach (var property in element.EnumerateObject())
        {
            string at = $"{path}.{property.Name}";
            if (property.Name is "$and" or "$or")
            {
                if (property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() == 0)
                    throw new FilterSyntaxException(at, $"{property.Name} takes a non-empty list of filters");
                var children = new List<Where>();
                int i = 0;
                foreach (var item in property.Value.EnumerateArray())
                    children.Add(ParseFilter(item, $"{at}[{i++}]"));
                parts.Add(CheckDepth(new Where(property.Name == "$and" ? WhereKind.And : WhereKind.Or, [.. children], null, default, []), at));
            }
            else if (property.Name == DocumentKey)
            {
                // {"#document": {"$contains": "x"}}, or a whole where_document filter under the key.
                parts.Add(ParseDocumentFilter(property.Value, at));
            }
            else if (property.Name.StartsWith('$'))
            {
                throw new FilterSyntaxException(at, $"unknown logical operator '{property.Name}' (expected $and or $or, or a metadata key)");
            }
            else
            {
                if (MetadataValues.KeyProblem(property.Name) is { } keyProblem)
                    throw new FilterSyntaxException(at, keyProblem);
                parts.Add(ParseComparison(property.Name, property.Value, at));
            }
        }
        return parts.Count switch
        {
            0 => throw new FilterSyntaxException(path, "an empty filter object"),
            1 => parts[0],
            _ => CheckDepth(new Where(WhereKind.And, [.. parts], null, default, []), path),
        };
    }

    private static Where ParseComparison(string key, JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            return MakeComparison(key, WhereOperator.Eq, [LiteralValue(value, path)], path);
        int count = 0;
        Where? result = null;
        foreach (var property in value.EnumerateObject())
        {
            count++;
            string at = $"{path}.{property.Name}";
            WhereOperator op = property.Name switch
            {
                "$eq" => WhereOperator.Eq,
                "$ne" => WhereOperator.Ne,
                "$gt" => WhereOperator.Gt,
                "$gte" => WhereOperator.Gte,
                "$lt" => WhereOperator.Lt,
                "$lte" => WhereOperator.Lte,
                "$in" => WhereOperator.In,
                "$nin" => WhereOperator.Nin,
                _ => throw new FilterSyntaxException(at, $"unknown operator '{property.Name}' (expected $eq, $ne, $gt, $gte, $lt, $lte, $in or $nin)"),
            };
            if (op is WhereOperator.In or WhereOperator.Nin)
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                    throw new FilterSyntaxException(at, $"{property.Name} takes a list of values, got {JsonKind(property.Value)}");
                var items = new List<object>();
                int i = 0;
                foreach (var item in property.Value.EnumerateArray())
                    items.Add(LiteralValue(item, $"{at}[{i++}]"));
                result = MakeComparison(key, op, [.. items], at);
            }
            else
            {
                result = MakeComparison(key, op, [LiteralValue(property.Value, at)], at);
            }
        }
        if (count != 1)
            throw new FilterSyntaxException(path, $"an operator object must hold exactly one operator, it holds {count}");
        return result!;
    }

    private static object LiteralValue(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.String or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number => MetadataValues.ReadValue(value),
        _ => throw new FilterSyntaxException(path, $"expected a string, number or bool, got {JsonKind(value)}"),
    };

    private static string JsonKind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };
}
