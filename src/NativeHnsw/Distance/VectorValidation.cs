using System.Numerics.Tensors;

namespace NativeHnsw.Distance;

/// <summary>
/// The checks a vector must pass before it is indexed or searched, and the form it is stored and
/// searched in: the one home of both, for the index and for callers that hold vectors of their own.
/// </summary>
public static class VectorValidation
{
    /// <summary>
    /// Finds the first thing that keeps <paramref name="vector"/> from being indexed or searched under
    /// <paramref name="metric"/> with <paramref name="dimensions"/> dimensions, for callers that report
    /// problems through exceptions of their own. Checked in order: length, finiteness, zero under cosine.
    /// </summary>
    /// <param name="vector">The vector to check.</param>
    /// <param name="dimensions">The dimension count it must have.</param>
    /// <param name="metric">The metric it will be measured under.</param>
    /// <param name="component">For <see cref="VectorProblem.NotFinite"/>, the index of the first non-finite component; otherwise −1.</param>
    public static VectorProblem FindProblem(ReadOnlySpan<float> vector, int dimensions, DistanceMetric metric, out int component)
    {
        component = -1;
        if (vector.Length != dimensions)
            return VectorProblem.WrongDimensions;
        if (!TensorPrimitives.IsFiniteAll(vector))
        {
            component = 0;
            while (float.IsFinite(vector[component]))
                component++;
            return VectorProblem.NotFinite;
        }
        if (metric == DistanceMetric.Cosine && TensorPrimitives.MaxMagnitude(vector) == 0f)
            return VectorProblem.ZeroUnderCosine;
        return VectorProblem.None;
    }

    /// <summary>
    /// Throws the exception <see cref="HnswIndex"/> throws for a vector <see cref="FindProblem"/> rejects.
    /// </summary>
    /// <param name="vector">The vector to check.</param>
    /// <param name="dimensions">The dimension count it must have.</param>
    /// <param name="metric">The metric it will be measured under.</param>
    /// <param name="paramName">The caller's parameter that held the vector.</param>
    /// <param name="what">How the messages name the vector (for example "Query" or "Row 3 (label 7)"); "Vector" when null.</param>
    /// <exception cref="ArgumentException">The vector has the wrong length, a NaN or infinite component, or is all zeros under cosine.</exception>
    public static void Validate(ReadOnlySpan<float> vector, int dimensions, DistanceMetric metric, string paramName, string? what = null)
    {
        switch (FindProblem(vector, dimensions, metric, out int component))
        {
            case VectorProblem.WrongDimensions:
                ThrowHelper.ThrowDimensionMismatch(dimensions, vector.Length, paramName);
                break;
            case VectorProblem.NotFinite:
                ThrowHelper.ThrowNotFinite(component, vector[component], paramName, what);
                break;
            case VectorProblem.ZeroUnderCosine:
                ThrowHelper.ThrowZeroVector(paramName, what);
                break;
        }
    }

    /// <summary>
    /// Copies <paramref name="vector"/> into <paramref name="destination"/> in the form the index stores
    /// and searches it: scaled to unit length under cosine (see <see cref="VectorKernels.Normalize"/>),
    /// unchanged under the other metrics. The two spans may be the same memory.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ, or under cosine the vector is all zeros or not finite.</exception>
    public static void Prepare(ReadOnlySpan<float> vector, DistanceMetric metric, Span<float> destination)
    {
        if (vector.Length != destination.Length)
            ThrowHelper.ThrowLengthMismatch(vector.Length, destination.Length);
        if (metric != DistanceMetric.Cosine)
            vector.CopyTo(destination);
        else if (!VectorKernels.Normalize(vector, destination))
            throw new ArgumentException("The vector is all zeros or not finite, so it has no direction under the cosine metric.", nameof(vector));
    }
}
