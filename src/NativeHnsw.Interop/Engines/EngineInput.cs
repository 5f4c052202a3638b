using System.Buffers;
using NativeHnsw.Distance;

namespace NativeHnsw.Interop;

/// <summary>Argument checks and the cosine normalisation the native engines share.</summary>
internal static class EngineInput
{
    /// <summary>The checks HnswIndex applies to the options, for the engines that do not go through it.</summary>
    public static void Validate(HnswOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Dimensions is < 1 or > HnswOptions.MaxDimensions)
            throw new ArgumentOutOfRangeException(nameof(options), options.Dimensions, $"Dimensions must be between 1 and {HnswOptions.MaxDimensions}.");
        if (!Enum.IsDefined(options.Metric))
            throw new ArgumentOutOfRangeException(nameof(options), options.Metric, "Unknown distance metric.");
        if (options.M is < 2 or > HnswOptions.MaxM)
            throw new ArgumentOutOfRangeException(nameof(options), options.M, $"M must be between 2 and {HnswOptions.MaxM}.");
        if (options.EfConstruction < 1 || options.DefaultEf < 1 || options.InitialCapacity < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "EfConstruction and DefaultEf must be positive, InitialCapacity not negative.");
    }

    public static void CheckBatch(ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int dimensions)
    {
        if ((long)labels.Length * dimensions != vectors.Length)
            throw new ArgumentException(
                $"Expected {labels.Length} × {dimensions} = {(long)labels.Length * dimensions} floats for {labels.Length} labels of dimension {dimensions}; got {vectors.Length}.",
                nameof(vectors));
    }

    public static void CheckQuery(ReadOnlySpan<float> query, int dimensions)
    {
        if (query.Length != dimensions)
            throw new ArgumentException($"The query has {query.Length} components; the index has {dimensions} dimensions.", nameof(query));
    }

    /// <summary>Rents a buffer and fills it with unit-length copies of the rows; return it to <see cref="ArrayPool{T}.Shared"/>.</summary>
    public static float[] RentNormalizedRows(ReadOnlySpan<float> rows, int dimensions, string paramName)
    {
        float[] copy = ArrayPool<float>.Shared.Rent(rows.Length);
        for (int offset = 0; offset < rows.Length; offset += dimensions)
            NormalizeRow(rows.Slice(offset, dimensions), copy.AsSpan(offset, dimensions), paramName);
        return copy;
    }

    /// <summary>For engines that normalise by themselves: a cosine row must still have a direction.</summary>
    public static void CheckNoZeroRow(ReadOnlySpan<float> rows, int dimensions, string paramName)
    {
        for (int offset = 0; offset < rows.Length; offset += dimensions)
        {
            if (!rows.Slice(offset, dimensions).ContainsAnyExcept(0f))
                throw new ArgumentException($"A cosine index cannot take an all-zero vector (row {offset / dimensions}): it has no direction.", paramName);
        }
    }

    public static void NormalizeRow(ReadOnlySpan<float> row, Span<float> destination, string paramName)
    {
        if (!VectorKernels.Normalize(row, destination))
            throw new ArgumentException("A cosine index cannot take an all-zero vector: it has no direction.", paramName);
    }
}
