using System.Text;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>One result of a query, nearest first; fields not asked for in <see cref="Include"/> are null (Distance: NaN).</summary>
public sealed record QueryHit(string Id, float Distance, float[]? Embedding, string? Document, IReadOnlyDictionary<string, object>? Metadata)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Distance = ").Append(Distance.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)).Append(", Embedding = ");
        Printing.Vector(builder, Embedding);
        builder.Append(", Document = ").Append(Printing.Value(Document)).Append(", Metadata = ");
        Printing.Map(builder, Metadata);
        return true;
    }
}
