namespace NativeHnsw.Storage;

/// <summary>The comparison of one metadata key in a <see cref="Where"/> filter.</summary>
public enum WhereOperator
{
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    Nin,
}
