using Microsoft.Extensions.VectorData;

namespace NativeHnsw.VectorData;

/// <summary>A collection's schema and embedding generator (the abstraction's), and the HNSW parameters it is created with.</summary>
public sealed class NativeHnswCollectionOptions : VectorStoreCollectionOptions
{
    public NativeHnswCollectionOptions()
    {
    }

    public NativeHnswCollectionOptions(NativeHnswCollectionOptions source)
        : base(source)
    {
        ArgumentNullException.ThrowIfNull(source);
        M = source.M;
        EfConstruction = source.EfConstruction;
        DefaultEf = source.DefaultEf;
        Reembed = source.Reembed;
    }

    /// <summary>Graph degree used when the collection is created (an existing collection keeps its own).</summary>
    public int M { get; set; } = 16;

    /// <summary>Construction beam used when the collection is created.</summary>
    public int EfConstruction { get; set; } = 200;

    /// <summary>Search beam used when the collection is created.</summary>
    public int DefaultEf { get; set; } = 64;

    /// <summary>
    /// For a collection whose vectors are generated from strings: when the stored generator identity (model id,
    /// dimensions) differs from this generator's, re-embed every stored document with it instead of refusing. Default false.
    /// </summary>
    public bool Reembed { get; set; }
}
