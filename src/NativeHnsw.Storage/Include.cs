namespace NativeHnsw.Storage;

/// <summary>What a get or a query returns beside the ids.</summary>
[Flags]
public enum Include
{
    None = 0,
    Documents = 1,
    Metadatas = 2,

    /// <summary>The vectors as they were written (not normalised).</summary>
    Embeddings = 4,

    /// <summary>Query only: each hit's distance to the query.</summary>
    Distances = 8,

    /// <summary>Chroma's default for get.</summary>
    Default = Documents | Metadatas,

    /// <summary>Chroma's default for query.</summary>
    QueryDefault = Documents | Metadatas | Distances,

    All = Documents | Metadatas | Embeddings | Distances,
}
