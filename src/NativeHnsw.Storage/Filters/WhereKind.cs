namespace NativeHnsw.Storage;

/// <summary>The shape of a <see cref="Where"/> node.</summary>
public enum WhereKind
{
    Comparison,
    And,
    Or,

    /// <summary>A test of the record's document (<c>$contains</c>, <c>$not_contains</c>, <c>$regex</c>, <c>$not_regex</c>), written <c>{"#document": {…}}</c>.</summary>
    Document,
}
