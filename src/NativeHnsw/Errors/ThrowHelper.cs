using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NativeHnsw;

/// <summary>Throw sites kept out of line so the callers' hot paths stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowLengthMismatch(int x, int y) =>
        throw new ArgumentException($"Vectors must have equal length; got {x} and {y}.");

    [DoesNotReturn]
    public static void ThrowDimensionMismatch(int expected, int actual, string paramName) =>
        throw new ArgumentException($"Expected a vector of {expected} dimensions, got {actual}.", paramName);

    [DoesNotReturn]
    public static void ThrowNotFinite(int index, float value, string paramName, string? where = null) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{where ?? "Vector"} has a non-finite value {value} at component {index}; NaN and infinity cannot be indexed."),
            paramName);

    [DoesNotReturn]
    public static void ThrowZeroVector(string paramName, string? where = null) =>
        throw new ArgumentException($"{where ?? "Vector"} is all zeros, which has no direction under the cosine metric.", paramName);

    [DoesNotReturn]
    public static void ThrowLabelNotFound(long label, string paramName) => throw new LabelNotFoundException(label, paramName);

    [DoesNotReturn]
    public static void ThrowReadOnly() =>
        throw new NotSupportedException("This index is opened read-only (memory-mapped); load it with HnswIndex.Load to modify it.");

    [DoesNotReturn]
    public static void ThrowDisposed() => throw new ObjectDisposedException(nameof(HnswIndex));
}
