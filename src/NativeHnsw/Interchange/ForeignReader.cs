using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using NativeHnsw.IndexFiles;

namespace NativeHnsw.Interchange;

/// <summary>
/// Sequential little-endian reads of a foreign index file through a window, each read named by the field
/// it reads: a read past the end throws <see cref="IndexFormatException"/> naming that field and its offset
/// before anything is copied, so no count in the file can make it read or allocate beyond the file.
/// </summary>
internal sealed class ForeignReader : IDisposable
{
    private const int WindowBytes = 256 << 10;

    private readonly FileStream _stream;
    private readonly SafeFileHandle _handle;
    private readonly byte[] _window = new byte[WindowBytes];
    private long _windowStart;
    private int _windowLength;

    public ForeignReader(string path)
    {
        Path = path;
        _stream = IndexFile.OpenRead(path);
        _handle = _stream.SafeFileHandle;
        try
        {
            Length = RandomAccess.GetLength(_handle);
        }
        catch (IOException e)
        {
            _stream.Dispose();
            throw new IndexFormatException(path, null, -1, "the file's length cannot be read: " + e.Message, e);
        }
    }

    public string Path { get; }

    public long Length { get; }

    public long Position { get; private set; }

    public long Remaining => Length - Position;

    public void Dispose() => _stream.Dispose();

    /// <summary>Throws unless <paramref name="bytes"/> more bytes are in the file, naming <paramref name="field"/>.</summary>
    public void Require(long bytes, string field)
    {
        if (bytes < 0 || bytes > Remaining)
            throw Fail(field, Position, string.Create(CultureInfo.InvariantCulture,
                $"truncated: {field} needs {(bytes < 0 ? "an impossible number of" : bytes.ToString(CultureInfo.InvariantCulture))} bytes, the file has {Remaining} left"));
    }

    public ulong ReadUInt64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));

    public long ReadInt64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));

    public int ReadInt32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));

    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public float ReadSingle(string field) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));

    public double ReadDouble(string field) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, field));

    public byte ReadByte(string field) => Take(1, field)[0];

    /// <summary>The next <paramref name="bytes"/> bytes (at most the window) as a span valid until the next read.</summary>
    public ReadOnlySpan<byte> Take(int bytes, string field)
    {
        Require(bytes, field);
        if (bytes > WindowBytes)
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "Larger reads go through ReadInto.");
        long inWindow = Position - _windowStart;
        if (inWindow < 0 || inWindow + bytes > _windowLength)
        {
            _windowStart = Position;
            _windowLength = (int)Math.Min(WindowBytes, Length - Position);
            IndexFile.ReadExactly(_handle, _window.AsSpan(0, _windowLength), _windowStart, Path, field);
            inWindow = 0;
        }
        Position += bytes;
        return _window.AsSpan((int)inWindow, bytes);
    }

    /// <summary>Fills <paramref name="destination"/> from the file (any length), naming <paramref name="field"/>.</summary>
    public void ReadInto(Span<byte> destination, string field)
    {
        Require(destination.Length, field);
        long inWindow = Position - _windowStart;
        int fromWindow = 0;
        if (inWindow >= 0 && inWindow < _windowLength)
        {
            fromWindow = (int)Math.Min(destination.Length, _windowLength - inWindow);
            _window.AsSpan((int)inWindow, fromWindow).CopyTo(destination);
        }
        if (fromWindow < destination.Length)
            IndexFile.ReadExactly(_handle, destination[fromWindow..], Position + fromWindow, Path, field);
        Position += destination.Length;
    }

    public void Skip(long bytes, string field)
    {
        Require(bytes, field);
        Position += bytes;
    }

    public void Seek(long position) => Position = position;

    /// <summary>Throws unless the whole file was read: trailing bytes mean the sizes did not tile it.</summary>
    public void RequireEnd(string what)
    {
        if (Position != Length)
            throw Fail(what, Position, string.Create(CultureInfo.InvariantCulture,
                $"{Length - Position} bytes follow the end of the {what}: the sizes in the file do not tile it"));
    }

    public IndexFormatException Fail(string field, long offset, string problem) => new(Path, field, offset, problem);

    /// <summary>An error about a field's value, the problem worded after the field's name ("maxM is 0; …").</summary>
    public IndexFormatException BadField(string field, long offset, FormattableString problem) =>
        Fail(field, offset, field + " " + problem.ToString(CultureInfo.InvariantCulture));
}
