using System.Runtime.Intrinsics;

namespace NativeHnsw.Distance;

/// <summary>A metric's distance from the estimated dot q·x̂, |q|² and |x̂|²: a struct operator, so the compact walk inlines it.</summary>
internal interface IInt8Metric
{
    static abstract float Finish(float dot, float queryNorm, float rowNorm);

    /// <summary><see cref="Finish(float, float, float)"/> of eight estimates side by side, lane for lane the same value.</summary>
    static abstract Vector256<float> Finish(Vector256<float> dot, Vector256<float> queryNorm, Vector256<float> rowNorm);

    /// <summary>Whether <see cref="Finish(float, float, float)"/> reads the row's norm (a walk gathers the norms only then).</summary>
    static abstract bool UsesRowNorm { get; }
}
