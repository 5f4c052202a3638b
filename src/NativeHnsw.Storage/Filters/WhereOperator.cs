namespace NativeHnsw.Storage;

/// <summary>The comparison of one metadata key (or, for <see cref="WhereKind.Document"/>, of the document) in a <see cref="Where"/> filter.</summary>
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

    /// <summary>The document contains the text (ordinal, case-sensitive).</summary>
    Contains,

    /// <summary>Not <see cref="Contains"/>: a record without a document matches.</summary>
    NotContains,

    /// <summary>The document matches the .NET regular expression.</summary>
    Regex,

    /// <summary>Not <see cref="Regex"/>: a record without a document matches.</summary>
    NotRegex,
}
