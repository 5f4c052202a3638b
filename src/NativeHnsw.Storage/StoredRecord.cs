using System.Text;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>
/// A record as a get returns it; fields not asked for in <see cref="Include"/> are null. Metadata values are
/// <see cref="string"/>, <see cref="long"/>, <see cref="double"/> or <see cref="bool"/>; metadata is null when the record has none.
/// </summary>
public sealed record StoredRecord(string Id, float[]? Embedding, string? Document, IReadOnlyDictionary<string, object>? Metadata)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", Embedding = ");
        Printing.Vector(builder, Embedding);
        builder.Append(", Document = ").Append(Printing.Value(Document)).Append(", Metadata = ");
        Printing.Map(builder, Metadata);
        return true;
    }
}
