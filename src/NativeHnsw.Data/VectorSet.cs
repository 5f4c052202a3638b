namespace NativeHnsw.Data;

/// <summary>Row-major float vectors of one dimension: a base set or a query set.</summary>
public sealed class VectorSet
{
    public VectorSet(float[] data, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        if (data.Length % dimensions != 0)
            throw new ArgumentException($"{data.Length} floats are not a whole number of {dimensions}-dimensional rows.", nameof(data));
        Data = data;
        Dimensions = dimensions;
        Count = data.Length / dimensions;
    }

    public float[] Data { get; }

    public int Dimensions { get; }

    public int Count { get; }

    public ReadOnlySpan<float> Row(int row) => Data.AsSpan(row * Dimensions, Dimensions);

    /// <summary>The first <paramref name="count"/> rows (this set when it has no more).</summary>
    public VectorSet Take(int count) =>
        count >= Count ? this : new VectorSet(Data.AsSpan(0, count * Dimensions).ToArray(), Dimensions);

    /// <summary>The given rows, in the given order.</summary>
    public VectorSet Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var data = new float[rows.Count * Dimensions];
        for (int i = 0; i < rows.Count; i++)
            Row(rows[i]).CopyTo(data.AsSpan(i * Dimensions, Dimensions));
        return new VectorSet(data, Dimensions);
    }
}
