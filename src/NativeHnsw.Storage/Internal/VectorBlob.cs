using System.Runtime.InteropServices;

namespace NativeHnsw.Storage.Internal;

/// <summary>Vectors in the records table: float32 little-endian, as written by the caller (not normalised).</summary>
internal static class VectorBlob
{
    public static byte[] ToBytes(ReadOnlySpan<float> vector)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("NativeHnsw.Storage stores vectors little-endian and supports little-endian machines only.");
        return MemoryMarshal.AsBytes(vector).ToArray();
    }

    public static float[] ToVector(byte[] blob, int dimensions, string where)
    {
        if (blob.Length != dimensions * sizeof(float))
            throw new InvalidDataException($"{where}: the stored vector has {blob.Length} bytes, expected {dimensions * sizeof(float)} ({dimensions} floats).");
        return MemoryMarshal.Cast<byte, float>(blob).ToArray();
    }

    public static void CopyTo(byte[] blob, Span<float> destination) => MemoryMarshal.Cast<byte, float>(blob).CopyTo(destination);
}
