namespace NativeHnsw.Storage;

/// <summary>The shape of a <see cref="Where"/> node.</summary>
public enum WhereKind
{
    Comparison,
    And,
    Or,
}
