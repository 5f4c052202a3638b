using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace NativeHnsw.Interchange;

/// <summary>Little-endian sequential writes into a file handle through a buffer (for the exporters; the file is replaced atomically around it).</summary>
internal sealed class ForeignWriter
{
    private readonly SafeFileHandle _handle;
    private readonly byte[] _buffer = new byte[1 << 20];
    private int _used;
    private long _flushed;

    public ForeignWriter(SafeFileHandle handle) => _handle = handle;

    public long Position => _flushed + _used;

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    public void WriteSingle(float value) => BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _used)
        {
            Flush();
            if (bytes.Length > _buffer.Length)
            {
                RandomAccess.Write(_handle, bytes, _flushed);
                _flushed += bytes.Length;
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    /// <summary><paramref name="bytes"/> bytes of the buffer to fill in place (at most 64 KiB).</summary>
    public Span<byte> Reserve(int bytes)
    {
        if (bytes > _buffer.Length - _used)
            Flush();
        var span = _buffer.AsSpan(_used, bytes);
        _used += bytes;
        return span;
    }

    public void Flush()
    {
        if (_used == 0)
            return;
        RandomAccess.Write(_handle, _buffer.AsSpan(0, _used), _flushed);
        _flushed += _used;
        _used = 0;
    }
}
