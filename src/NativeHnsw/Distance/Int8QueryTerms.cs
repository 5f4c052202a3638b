namespace NativeHnsw.Distance;

/// <summary>
/// What turns a query's integer dot with a row's codes into a distance (<see cref="Int8Quantizer"/>):
/// q·x̂ ≈ <see cref="Offset"/> + <see cref="Alpha"/> · Σ q8·c, and |q|² for L2.
/// </summary>
internal readonly record struct Int8QueryTerms(float Alpha, float Offset, float QueryNorm)
{
    public float Dot(int codeDot) => Offset + Alpha * codeDot;
}
