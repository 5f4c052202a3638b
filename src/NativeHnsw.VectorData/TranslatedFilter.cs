using NativeHnsw.Storage;

namespace NativeHnsw.VectorData;

/// <summary>A LINQ filter as our <see cref="Where"/>: null matches every record; <see cref="MatchesNothing"/> is a constant false.</summary>
internal readonly record struct TranslatedFilter(Where? Where, bool MatchesNothing)
{
    public static readonly TranslatedFilter All = new(null, false);

    public static readonly TranslatedFilter None = new(null, true);
}
