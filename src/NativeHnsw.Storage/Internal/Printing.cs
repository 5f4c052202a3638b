using System.Globalization;
using System.Text;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The readable text of result and info types' members (records print collections as their type name otherwise):
/// vectors as their first few components and length, maps and lists by their items.
/// </summary>
internal static class Printing
{
    private const int VectorHead = 4;
    private const int ListHead = 8;

    public static void Vector(StringBuilder builder, float[]? vector)
    {
        if (vector is null)
        {
            builder.Append("null");
            return;
        }
        builder.Append('[');
        for (int i = 0; i < Math.Min(VectorHead, vector.Length); i++)
            builder.Append(i == 0 ? "" : ", ").Append(vector[i].ToString("G6", CultureInfo.InvariantCulture));
        if (vector.Length > VectorHead)
            builder.Append(", …");
        builder.Append("] (").Append(vector.Length.ToString(CultureInfo.InvariantCulture)).Append(" floats)");
    }

    public static void Map(StringBuilder builder, IReadOnlyDictionary<string, object>? map)
    {
        if (map is null)
        {
            builder.Append("null");
            return;
        }
        builder.Append('{');
        bool first = true;
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            builder.Append(first ? " " : ", ").Append(key).Append(": ").Append(Value(value));
            first = false;
        }
        builder.Append(first ? "}" : " }");
    }

    public static void List(StringBuilder builder, IReadOnlyList<string> items)
    {
        builder.Append('[');
        for (int i = 0; i < Math.Min(ListHead, items.Count); i++)
            builder.Append(i == 0 ? "" : ", ").Append(items[i]);
        if (items.Count > ListHead)
            builder.Append(", … (").Append(items.Count.ToString(CultureInfo.InvariantCulture)).Append(" in all)");
        builder.Append(']');
    }

    public static string Value(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        double d => MetadataValues.FloatText(d),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
