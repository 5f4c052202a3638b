using System.Runtime.Intrinsics;

namespace NativeHnsw.Distance;

/// <summary>
/// One step of a distance kernel: folds a pair of x and y chunks into a running sum, at every
/// width the kernel ladder runs. The loops in <see cref="VectorKernels"/> are generic over a struct
/// implementing this, so each instantiation is compiled on its own with the step inlined: there is
/// no call per chunk.
/// </summary>
/// <remarks>
/// A step must map a pair of zero lanes to zero: the masked tail zeroes the lanes it has already
/// counted in both x and y, and relies on them adding nothing.
/// </remarks>
internal interface IAccumulateOperator
{
    static abstract Vector512<float> Accumulate(Vector512<float> x, Vector512<float> y, Vector512<float> sum);

    static abstract Vector256<float> Accumulate(Vector256<float> x, Vector256<float> y, Vector256<float> sum);

    static abstract Vector128<float> Accumulate(Vector128<float> x, Vector128<float> y, Vector128<float> sum);

    static abstract float Accumulate(float x, float y, float sum);
}
