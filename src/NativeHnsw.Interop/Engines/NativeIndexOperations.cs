using System.Buffers;
using NativeHnsw.Interop.Native;

namespace NativeHnsw.Interop;

/// <summary>The batch add and the search of the engines over <see cref="INativeIndexCalls"/>.</summary>
internal static unsafe class NativeIndexOperations
{
    public static void AddBatch(INativeIndexCalls engine, NativeObjectHandle handle, ReadOnlyMemory<long> labels, ReadOnlyMemory<float> vectors, int maxDegreeOfParallelism)
    {
        int dimensions = engine.Dimensions;
        EngineInput.CheckBatch(labels, vectors, dimensions);
        if (labels.IsEmpty)
            return;
        float[]? normalized = engine.Metric == DistanceMetric.Cosine
            ? EngineInput.RentNormalizedRows(vectors.Span, dimensions, nameof(vectors))
            : null;
        try
        {
            ReadOnlySpan<float> rows = normalized is null ? vectors.Span : normalized.AsSpan(0, vectors.Length);
            using var index = handle.Acquire();
            fixed (float* x = rows)
            fixed (long* ids = labels.Span)
            {
                engine.AddRows(index.Pointer, labels.Length, x, ids, maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : 0);
            }
        }
        finally
        {
            if (normalized is not null)
                ArrayPool<float>.Shared.Return(normalized);
        }
    }

    public static int Search(INativeIndexCalls engine, NativeObjectHandle handle, ReadOnlySpan<float> query, Span<SearchResult> destination, int ef)
    {
        int dimensions = engine.Dimensions;
        EngineInput.CheckQuery(query, dimensions);
        int k = destination.Length;
        if (k == 0)
            return 0;
        ef = ef > 0 ? ef : engine.DefaultEf;

        var scratch = SearchScratch.For(dimensions, k);
        var q = scratch.Query(query, engine.Metric);
        var distances = scratch.Distances(k);
        var labels = scratch.Labels(k);

        int found;
        using (var index = handle.Acquire())
        {
            fixed (float* x = q)
            fixed (float* d = distances)
            fixed (long* l = labels)
            {
                found = engine.SearchOne(index.Pointer, ef, x, k, d, l);
            }
        }
        for (int i = 0; i < found; i++)
            destination[i] = new SearchResult(labels[i], distances[i]);
        return found;
    }
}
