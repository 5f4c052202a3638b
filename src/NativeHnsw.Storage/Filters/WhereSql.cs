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

    private static (string Sql, bool Compound) Set(Where where, SqliteCommand command, ref int next)
    {
        switch (where.Kind)
        {
            case WhereKind.Or:
                if (where.Children.Count == 1)
                    return Set(where.Children[0], command, ref next);
                var parts = new string[where.Children.Count];
                for (int i = 0; i < parts.Length; i++)
                    parts[i] = Operand(Set(where.Children[i], command, ref next));
                return (string.Join(" UNION ", parts), true);
            case WhereKind.And:
                if (where.Children.Count == 1)
                    return Set(where.Children[0], command, ref next);
                var positive = new List<string>();
                var negative = new List<string>();
                // Range bounds on one key are one index range: a record holds one value per key, so
                // "k >= a AND k < b" is exact as a single scan, where an INTERSECT would materialise both halves.
                var ranges = new Dictionary<string, List<Where>>(StringComparer.Ordinal);
                foreach (var child in where.Children)
                {
                    if (IsRange(child))
                    {
                        if (!ranges.TryGetValue(child.Key!, out var bounds))
                            ranges[child.Key!] = bounds = [];
                        bounds.Add(child);
                    }
                }
                foreach (var bounds in ranges.Values)
                    positive.Add(Range(bounds, command, ref next));
                foreach (var child in where.Children)
                {
                    if (IsRange(child))
                        continue;
                    if (IsNegation(child))
                        negative.Add(Positive(child, command, ref next));
                    else
                        positive.Add(Operand(Set(child, command, ref next)));
                }
                string sql = positive.Count == 0 ? AllRows : string.Join(" INTERSECT ", positive);
                foreach (string n in negative)
                    sql += " EXCEPT " + n;
                return (sql, true);
            default:
                return IsNegation(where)
                    ? (AllRows + " EXCEPT " + Positive(where, command, ref next), true)
                    : (Positive(where, command, ref next), false);
        }
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
        where.Kind == WhereKind.Comparison && where.Operator is WhereOperator.Ne or WhereOperator.Nin;

    /// <summary>A compound select cannot be an operand of another; a subquery in FROM can.</summary>
    private static string Operand((string Sql, bool Compound) set) => set.Compound ? "SELECT r FROM (" + set.Sql + ")" : set.Sql;

    /// <summary>The rows whose value under the key satisfies the comparison, with $ne read as $eq and $nin as $in.</summary>
    private static string Positive(Where where, SqliteCommand command, ref int next)
    {
        string key = Add(command, ref next, where.Key!);
        object first = where.Values[0];
        int kind = MetadataRows.KindOf(first);
        string test;
        switch (where.Operator)
        {
            case WhereOperator.Eq or WhereOperator.Ne:
                test = "= " + Add(command, ref next, MetadataRows.StoredValue(first));
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

    private static string Add(SqliteCommand command, ref int next, object value)
    {
        string name = "@w" + next++;
        command.Parameters.AddWithValue(name, value);
        return name;
    }
}
