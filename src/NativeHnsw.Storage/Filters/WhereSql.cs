using Microsoft.Data.Sqlite;

namespace NativeHnsw.Storage;

/// <summary>
/// Translates a <see cref="Where"/> into a SQL condition over the records table's <c>metadata</c> JSON column.
/// Every comparison is wrapped in <c>COALESCE(…, 0)</c> so it is 0 or 1, never NULL: that makes <c>NOT</c>
/// exact, which gives <c>$ne</c>/<c>$nin</c> their documented meaning for records lacking the key.
/// </summary>
internal static class WhereSql
{
    public static string Translate(Where where, SqliteCommand command)
    {
        int next = command.Parameters.Count;
        return Node(where, command, ref next);
    }

    private static string Node(Where where, SqliteCommand command, ref int next)
    {
        switch (where.Kind)
        {
            case WhereKind.And:
            case WhereKind.Or:
                var parts = new string[where.Children.Count];
                for (int i = 0; i < parts.Length; i++)
                    parts[i] = Node(where.Children[i], command, ref next);
                return "(" + string.Join(where.Kind == WhereKind.And ? " AND " : " OR ", parts) + ")";
            default:
                string path = Add(command, ref next, "$.\"" + where.Key + "\"");
                string type = $"json_type(metadata, {path})";
                string value = $"json_extract(metadata, {path})";
                switch (where.Operator)
                {
                    case WhereOperator.Eq:
                        return Equal(type, value, where.Values[0], command, ref next);
                    case WhereOperator.Ne:
                        return "NOT " + Equal(type, value, where.Values[0], command, ref next);
                    case WhereOperator.In:
                    case WhereOperator.Nin:
                        var any = new string[where.Values.Count];
                        for (int i = 0; i < any.Length; i++)
                            any[i] = Equal(type, value, where.Values[i], command, ref next);
                        string union = "(" + string.Join(" OR ", any) + ")";
                        return where.Operator == WhereOperator.In ? union : "NOT " + union;
                    default:
                        string op = where.Operator switch
                        {
                            WhereOperator.Gt => ">",
                            WhereOperator.Gte => ">=",
                            WhereOperator.Lt => "<",
                            _ => "<=",
                        };
                        string p = Add(command, ref next, where.Values[0]);
                        return $"COALESCE({type} IN ('integer','real') AND {value} {op} {p}, 0)";
                }
        }
    }

    private static string Equal(string type, string value, object expected, SqliteCommand command, ref int next)
    {
        switch (expected)
        {
            case bool b:
                return $"COALESCE({type} = '{(b ? "true" : "false")}', 0)";
            case string:
                return $"COALESCE({type} = 'text' AND {value} = {Add(command, ref next, expected)}, 0)";
            default:
                return $"COALESCE({type} IN ('integer','real') AND {value} = {Add(command, ref next, expected)}, 0)";
        }
    }

    private static string Add(SqliteCommand command, ref int next, object value)
    {
        string name = "@w" + next++;
        command.Parameters.AddWithValue(name, value);
        return name;
    }
}
