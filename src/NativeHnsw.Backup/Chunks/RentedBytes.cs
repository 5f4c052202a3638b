using System.Buffers;

namespace NativeHnsw.Backup;

/// <summary>Bytes <see cref="Offset"/> .. +<see cref="Length"/> of <see cref="Array"/>, which came from <see cref="ArrayPool{T}.Shared"/> when <see cref="Pooled"/> (and goes back there once, by <see cref="Return"/>).</summary>
internal readonly record struct RentedBytes(byte[] Array, int Offset, int Length, bool Pooled)
{
    public Span<byte> Span => Array.AsSpan(Offset, Length);

    public void Return()
    {
        if (Pooled)
            ArrayPool<byte>.Shared.Return(Array);
    }
}
