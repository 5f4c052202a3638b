using System.Runtime.Intrinsics;

namespace NativeHnsw.Distance;

/// <summary>
/// One step of the code-by-query kernel: folds the products of unsigned codes and signed query
/// bytes into int32 lane sums, at every width <see cref="Int8Kernels"/> runs. Two implementations:
/// the VNNI instruction (one <c>vpdpbusd</c> per chunk) and a widening one (bytes to int16,
/// multiply, pairwise add to int32) for hardware without it.
/// </summary>
/// <remarks>
/// Which lane of the int32 sum a product lands in differs between the two, but every product is
/// exact (255 · 128 fits int16) and is counted once, so their totals are equal bit for bit.
/// A zero code must add nothing: the masked tail zeroes the codes it has already counted.
/// </remarks>
internal interface IByteDotStep
{
    static abstract Vector512<int> Step(Vector512<byte> codes, Vector512<sbyte> query, Vector512<int> sum);

    static abstract Vector256<int> Step(Vector256<byte> codes, Vector256<sbyte> query, Vector256<int> sum);

    static abstract Vector128<int> Step(Vector128<byte> codes, Vector128<sbyte> query, Vector128<int> sum);
}
