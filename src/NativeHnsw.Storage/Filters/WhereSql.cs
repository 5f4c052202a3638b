using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>
/// Translates a <see cref="Where"/> into set algebra over the indexed <c>metadata</c> table: a comparison is an index
/// range of <c>(collection, key, kind, value)</c>, <c>$and</c> is INTERSECT, <c>$or</c> UNION, and <c>$ne</c>/<c>$nin</c>
/// are the collection's rows EXCEPT the matching ones — which is exactly "not <c>$eq</c>", so records lacking the key,
/// or holding another type under it, match them. Inside an <c>$and</c> with a positive member, a negation is an
/// EXCEPT of its positive form, so no full-collection set is built.
/// </summary>
/// <remarks>
/// The <c>kind</c> column keeps the types apart (a string "1" never equals the number 1, bools equal only bools); the
/// <c>value</c> column has no affinity, so integers and floats are stored as given and compare numerically with each
/// other, as the JSON form did. The caller binds <c>@c</c> to the collection id.
/// </remarks>
internal static class WhereSql
{
    /// <summary>A condition on <c>records.row_id</c>.</summary>
    public static string Translate(Where where, SqliteCommand command) => "row_id IN (" + RowSet(where, command) + ")";

    /// <summary>A SELECT of one column, <c>r</c>: the row ids of collection <c>@c</c> that match.</summary>
    public static string RowSet(Where where, SqliteCommand command)
    {
        int next = command.Parameters.Count;
        return Set(where, command, ref next).Sql;
    }

    private const string AllRows = "SELECT row_id AS r FROM records WHERE collection = @c";

    /// <summary>
    /// Terms per compound SELECT: SQLite refuses more than 500 (SQLITE_MAX_COMPOUND_SELECT), so longer lists are
    /// grouped into sub-selects of at most this many.
    /// </summary>
    private const int MaxCompoundTerms = 400;

    /// <summary><c>$in</c>/<c>$nin</c> lists longer than this are bound as one JSON array read by json_each, not a variable per value (SQLite allows 32,766 variables per statement).</summary>
    private const int MaxListVariables = 16;

    /// <summary>Bounds on one key tested in one index range; more are split into ranges intersected.</summary>
    private const int MaxBoundsPerRange = 32;

    private static (string Sql, bool Compound) Set(Where where, SqliteCommand command, ref int next)
    {
        switch (where.Kind)
        {
            case WhereKind.Or:
            {
                var members = Flatten(where, WhereKind.Or);
                if (members.Count == 1)
                    return Set(members[0], command, ref next);
                var parts = new List<string>(members.Count);
                foreach (var member in members)
                    parts.Add(Operand(Set(member, command, ref next)));
                return Combine(parts, " UNION ");
            }
            case WhereKind.And:
            {
                var members = Flatten(where, WhereKind.And);
                if (members.Count == 1)
                    return Set(members[0], command, ref next);
                var positive = new List<string>();
                var negative = new List<string>();
                // Range bounds on one key are one index range: a record holds one value per key, so
                // "k >= a AND k < b" is exact as a single scan, where an INTERSECT would materialise both halves.
                var ranges = new Dictionary<string, List<Where>>(StringComparer.Ordinal);
                foreach (var member in members)
                {
                    if (IsRange(member))
                    {
                        if (!ranges.TryGetValue(member.Key!, out var bounds))
                            ranges[member.Key!] = bounds = [];
                        bounds.Add(member);
                    }
                }
                foreach (var bounds in ranges.Values)
                {
                    // A chain of ANDed tests is an expression tree as deep as it is long (SQLite allows 1,000):
                    // many bounds on one key are split into ranges of a few each, intersected.
                    for (int start = 0; start < bounds.Count; start += MaxBoundsPerRange)
                        positive.Add(Range(bounds.GetRange(start, Math.Min(MaxBoundsPerRange, bounds.Count - start)), command, ref next));
                }
                foreach (var member in members)
                {
                    if (IsRange(member))
                        continue;
                    if (IsNegation(member))
                        negative.Add(Positive(member, command, ref next));
                    else
                        positive.Add(Operand(Set(member, command, ref next)));
                }
                var (sql, compound) = positive.Count == 0 ? (AllRows, false) : Combine(positive, " INTERSECT ");
                if (negative.Count == 0)
                    return (sql, compound);
                // A − n1 − n2 … is A − (n1 ∪ n2 …): one EXCEPT, so the term count stays within the compound limit.
                return (sql + " EXCEPT " + Operand(Combine(negative, " UNION ")), true);
            }
            default:
                return IsNegation(where)
                    ? (AllRows + " EXCEPT " + Positive(where, command, ref next), true)
                    : (Positive(where, command, ref next), false);
        }
    }

    /// <summary>The members of an <c>$and</c> (or <c>$or</c>), with nested ones of the same kind spliced in: the same set, with less SQL nesting.</summary>
    private static List<Where> Flatten(Where where, WhereKind kind)
    {
        var members = new List<Where>(where.Children.Count);
        var pending = new Stack<Where>();
        for (int i = where.Children.Count - 1; i >= 0; i--)
            pending.Push(where.Children[i]);
        while (pending.TryPop(out var member))
        {
            if (member.Kind != kind)
            {
                members.Add(member);
                continue;
            }
            for (int i = member.Children.Count - 1; i >= 0; i--)
                pending.Push(member.Children[i]);
        }
        return members;
    }

    /// <summary>Simple selects joined by one set operator, grouped into sub-selects of at most <see cref="MaxCompoundTerms"/>.</summary>
    private static (string Sql, bool Compound) Combine(List<string> operands, string op)
    {
        if (operands.Count == 1)
            return (operands[0], false);
        while (operands.Count > MaxCompoundTerms)
        {
            var groups = new List<string>((operands.Count + MaxCompoundTerms - 1) / MaxCompoundTerms);
            for (int start = 0; start < operands.Count; start += MaxCompoundTerms)
            {
                int count = Math.Min(MaxCompoundTerms, operands.Count - start);
                groups.Add(count == 1 ? operands[start] : Operand((string.Join(op, operands.GetRange(start, count)), true)));
            }
            operands = groups;
        }
        return operands.Count == 1 ? (operands[0], false) : (string.Join(op, operands), true);
    }

    private static bool IsRange(Where where) =>
        where.Kind == WhereKind.Comparison && where.Operator is WhereOperator.Gt or WhereOperator.Gte or WhereOperator.Lt or WhereOperator.Lte;

    /// <summary>Records whose number under the key satisfies every bound (all of one key).</summary>
    private static string Range(List<Where> bounds, SqliteCommand command, ref int next)
    {
        string key = Add(command, ref next, bounds[0].Key!);
        var tests = new string[bounds.Count];
        for (int i = 0; i < tests.Length; i++)
            tests[i] = "value " + Comparison(bounds[i].Operator) + " " + Add(command, ref next, bounds[i].Values[0]);
        return $"SELECT record AS r FROM metadata WHERE collection = @c AND key = {key} AND kind = {MetadataRows.NumberKind} AND {string.Join(" AND ", tests)}";
    }

    private static string Comparison(WhereOperator op) => op switch
    {
        WhereOperator.Gt => ">",
        WhereOperator.Gte => ">=",
        WhereOperator.Lt => "<",
        _ => "<=",
    };

    private static bool IsNegation(Where where) =>
        (where.Kind == WhereKind.Comparison && where.Operator is WhereOperator.Ne or WhereOperator.Nin)
        || (where.Kind == WhereKind.Document && where.Operator is WhereOperator.NotContains or WhereOperator.NotRegex);

    /// <summary>A compound select cannot be an operand of another; a subquery in FROM can.</summary>
    private static string Operand((string Sql, bool Compound) set) => set.Compound ? "SELECT r FROM (" + set.Sql + ")" : set.Sql;

    /// <summary>The rows whose value under the key satisfies the comparison, with $ne read as $eq and $nin as $in.</summary>
    private static string Positive(Where where, SqliteCommand command, ref int next)
    {
        if (where.Kind == WhereKind.Document)
            return DocumentPositive(where, command, ref next);
        string key = Add(command, ref next, where.Key!);
        object first = where.Values[0];
        int kind = MetadataRows.KindOf(first);
        string test;
        switch (where.Operator)
        {
            case WhereOperator.Eq or WhereOperator.Ne:
                test = "= " + Add(command, ref next, MetadataRows.StoredValue(first));
                break;
            case WhereOperator.In or WhereOperator.Nin when where.Values.Count > MaxListVariables:
                test = "IN (SELECT value FROM json_each(" + Add(command, ref next, ListJson(where.Values)) + "))";
                break;
            case WhereOperator.In or WhereOperator.Nin:
                var items = new string[where.Values.Count];
                for (int i = 0; i < items.Length; i++)
                    items[i] = Add(command, ref next, MetadataRows.StoredValue(where.Values[i]));
                test = items.Length == 1 ? "= " + items[0] : "IN (" + string.Join(", ", items) + ")";
                break;
            default:
                test = Comparison(where.Operator) + " " + Add(command, ref next, first);
                break;
        }
        return $"SELECT record AS r FROM metadata WHERE collection = @c AND key = {key} AND kind = {kind} AND value {test}";
    }

    /// <summary>
    /// The rows whose document contains the text (for <c>$contains</c>/<c>$not_contains</c>) or matches the pattern
    /// (<c>$regex</c>/<c>$not_regex</c>). A text of three or more characters is looked up in the trigram index
    /// (<c>documents_fts</c>), whose phrase match finds every document holding the text; <c>instr</c> then checks each
    /// candidate exactly. A shorter text has no trigram to look up and is found by <c>instr</c> over the collection's
    /// documents; a pattern by the <see cref="StoreDatabase.RegexFunction"/> over them.
    /// </summary>
    private static string DocumentPositive(Where where, SqliteCommand command, ref int next)
    {
        string text = (string)where.Values[0];
        string value = Add(command, ref next, text);
        if (where.Operator is WhereOperator.Regex or WhereOperator.NotRegex)
            return $"SELECT row_id AS r FROM records WHERE collection = @c AND document IS NOT NULL AND {StoreDatabase.RegexFunction}({value}, document)";
        int characters = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            if (++characters >= 3)
                break;
        }
        if (characters < 3)
            return $"SELECT row_id AS r FROM records WHERE collection = @c AND instr(document, {value}) > 0";
        string phrase = Add(command, ref next, "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"");
        return $"SELECT d.row_id AS r FROM documents_fts JOIN records d ON d.row_id = documents_fts.rowid WHERE documents_fts MATCH {phrase} AND d.collection = @c AND instr(d.document, {value}) > 0";
    }

    /// <summary>
    /// A list's stored values as a JSON array: json_each yields strings as text, integers as integers and floats (in
    /// shortest round-trip form) as reals, the same values <see cref="MetadataRows"/> stores.
    /// </summary>
    private static string ListJson(IReadOnlyList<object> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (object value in values)
                MetadataValues.WriteValue(writer, MetadataRows.StoredValue(value));
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Add(SqliteCommand command, ref int next, object value)
    {
        string name = "@w" + next++;
        command.Parameters.AddWithValue(name, value);
        return name;
    }
}
