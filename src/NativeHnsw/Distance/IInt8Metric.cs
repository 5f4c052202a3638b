namespace NativeHnsw.Distance;

/// <summary>A metric's distance from the estimated dot q·x̂, |q|² and |x̂|²: a struct operator, so the compact walk inlines it.</summary>
internal interface IInt8Metric
{
    static abstract float Finish(float dot, float queryNorm, float rowNorm);
}
