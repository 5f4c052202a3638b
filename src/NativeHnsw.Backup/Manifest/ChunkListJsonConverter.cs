using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NativeHnsw.Backup;

/// <summary>
/// A file's chunks as manifest format 3 lists them: an array of strings, each <c>KEY:LENGTH</c> for up to
/// <see cref="PerString"/> chunks in file order, separated by single spaces (KEY 64 lowercase hex digits, LENGTH
/// decimal). A store backup lists a chunk per 4 KiB page; as objects (format 2) they made most of a manifest's bytes
/// and of its parse, which every restore pays for every manifest in its target when it chooses one. A chunk's key
/// stays as its store names it, so a manifest can still be searched for a key. Read into a <see cref="ChunkListText"/>:
/// checked whole, its chunks made only when something reads them (a restore reads one backup's of the many it lists).
/// </summary>
internal sealed class ChunkListJsonConverter : JsonConverter<IReadOnlyList<ChunkRef>>
{
    /// <summary>Chunks per string: a few kilobytes each, so no file's list becomes one huge token.</summary>
    internal const int PerString = 128;

    public override IReadOnlyList<ChunkRef> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException($"format 3 lists a file's chunks as an array of strings \"KEY:LENGTH …\", not {reader.TokenType}");
        var list = new ChunkListText.Builder();
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            // Written unescaped (hex, digits, ':' and ' '); an escaped one is someone's edit, read the slow way.
            list.AddAll(reader.ValueIsEscaped || reader.HasValueSequence ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan);
        }
        if (reader.TokenType != JsonTokenType.EndArray)
            throw new JsonException($"format 3 lists a file's chunks as strings; after chunk {list.Count} comes a {reader.TokenType}");
        return list.Build();
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<ChunkRef> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(PerString * (ChunkListText.KeyChars + 12));
        try
        {
            for (int first = 0; first < value.Count; first += PerString)
            {
                int at = 0;
                for (int i = first; i < Math.Min(value.Count, first + PerString); i++)
                {
                    if (i > first)
                        buffer[at++] = (byte)' ';
                    at += Encoding.ASCII.GetBytes(value[i].Sha256, buffer.AsSpan(at));
                    buffer[at++] = (byte)':';
                    Utf8Formatter.TryFormat(value[i].Length, buffer.AsSpan(at), out int written);
                    at += written;
                }
                writer.WriteStringValue(buffer.AsSpan(0, at));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        writer.WriteEndArray();
    }
}

/// <summary>
/// A format-3 chunk list as read: keys and lengths checked and kept as they came, the <see cref="ChunkRef"/>s made on
/// first use. A catalog load reads every manifest of a target, and making a string and a record per chunk of every
/// backup was most of that; what it checks (<see cref="BackupManifest"/>'s rules) needs only <see cref="TotalLength"/>
/// and the lengths' range. Thread-safe.
/// </summary>
internal sealed class ChunkListText : IReadOnlyList<ChunkRef>
{
    internal const int KeyChars = 64;

    private readonly Lock _lock = new();
    private byte[]? _keys;
    private int[]? _lengths;
    private ChunkRef[]? _chunks;

    private ChunkListText(byte[] keys, int[] lengths, long totalLength, bool lengthsInRange)
    {
        _keys = keys;
        _lengths = lengths;
        Count = lengths.Length;
        TotalLength = totalLength;
        LengthsInRange = lengthsInRange;
    }

    public int Count { get; }

    /// <summary>The chunks' lengths added up.</summary>
    public long TotalLength { get; }

    /// <summary>True when every length is 1 .. <see cref="ChunkLayout.MaxChunkBytes"/>.</summary>
    public bool LengthsInRange { get; }

    public ChunkRef this[int index] => Chunks()[index];

    public IEnumerator<ChunkRef> GetEnumerator() => ((IEnumerable<ChunkRef>)Chunks()).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    // Straight to optimized code: a restore reads a target's manifests once, early in a short process, and this ran
    // at the first tier of the JIT (three to four times slower) through the whole of it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ChunkRef[] Chunks()
    {
        if (Volatile.Read(ref _chunks) is { } made)
            return made;
        lock (_lock)
        {
            if (_chunks is null)
            {
                var chunks = new ChunkRef[Count];
                for (int i = 0; i < chunks.Length; i++)
                    chunks[i] = new ChunkRef(Encoding.ASCII.GetString(_keys.AsSpan(i * KeyChars, KeyChars)), _lengths![i]);
                Volatile.Write(ref _chunks, chunks);
                _keys = null;
                _lengths = null;
            }
            return _chunks;
        }
    }

    /// <summary>Gathers the chunks of a list's strings, checking each as it comes.</summary>
    internal sealed class Builder
    {
        private static readonly SearchValues<byte> s_hex = SearchValues.Create("0123456789abcdef"u8);

        private byte[] _keys = new byte[KeyChars * 64];
        private int[] _lengths = new int[64];
        private long _total;
        private bool _inRange = true;

        public int Count { get; private set; }

        /// <summary>Adds the chunks of one string, <c>KEY:LENGTH</c> separated by single spaces.</summary>
        /// <exception cref="JsonException">A chunk is not <c>KEY:LENGTH</c>.</exception>
        // The loop does its own work (no parser or buffer-writer calls): run once per process, library code it calls
        // stayed at the JIT's first tier, several times slower, for the whole of a restore's catalog load.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void AddAll(ReadOnlySpan<byte> text)
        {
            int at = 0;
            while (true)
            {
                if (text.Length - at < KeyChars + 2 || text[at + KeyChars] != (byte)':' || text.Slice(at, KeyChars).IndexOfAnyExcept(s_hex) >= 0)
                    throw NotAChunk();
                long length = 0;
                int digit = at + KeyChars + 1;
                for (; digit < text.Length && text[digit] != (byte)' '; digit++)
                {
                    uint d = (uint)(text[digit] - '0');
                    if (d > 9 || length > int.MaxValue)
                        throw NotAChunk();
                    length = (length * 10) + d;
                }
                if (digit == at + KeyChars + 1 || length > int.MaxValue)
                    throw NotAChunk();
                if (Count == _lengths.Length)
                {
                    Array.Resize(ref _lengths, Count * 2);
                    Array.Resize(ref _keys, _keys.Length * 2);
                }
                text.Slice(at, KeyChars).CopyTo(_keys.AsSpan(Count * KeyChars));
                _lengths[Count++] = (int)length;
                _total += length;
                _inRange &= length is >= 1 and <= ChunkLayout.MaxChunkBytes;
                if (digit == text.Length)
                    return;
                at = digit + 1;
            }
        }

        public ChunkListText Build() => new(_keys[..(Count * KeyChars)], _lengths[..Count], _total, _inRange);

        private JsonException NotAChunk() =>
            new($"chunk {Count} of the list is not KEY:LENGTH (64 lowercase hex digits, ':', a decimal length, one space between chunks)");
    }
}
