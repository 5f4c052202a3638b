using System.Buffers.Binary;
using System.IO.Hashing;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// Reads and rewrites index files by the byte offsets docs/FORMAT.md gives, independently of the
/// library's own reader: damage that keeps every checksum valid is made by editing a section and
/// calling <see cref="Reseal"/>.
/// </summary>
internal static class FileCraft
{
    public const int SectionCountAt = 88;
    public const int TableAt = 128;
    public const int EntrySize = 32;

    public sealed record Section(uint Id, long Offset, long Length, int EntryAt);

    public static Section[] Sections(byte[] file)
    {
        int count = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(SectionCountAt));
        var sections = new Section[count];
        for (int i = 0; i < count; i++)
        {
            int at = TableAt + i * EntrySize;
            sections[i] = new Section(
                BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at)),
                BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(at + 8)),
                BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(at + 16)),
                at);
        }
        return sections;
    }

    public static Section Find(byte[] file, uint id) => Sections(file).Single(s => s.Id == id);

    public static int HeaderSize(byte[] file) => TableAt + Sections(file).Length * EntrySize + 8;

    /// <summary>Recomputes every section checksum and then the header checksum, making any edit look intact.</summary>
    public static void Reseal(byte[] file)
    {
        foreach (var s in Sections(file))
        {
            ulong hash = XxHash3.HashToUInt64(file.AsSpan((int)s.Offset, (int)s.Length));
            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(s.EntryAt + 24), hash);
        }
        ResealHeader(file);
    }

    public static void ResealHeader(byte[] file)
    {
        int size = HeaderSize(file);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(size - 8), XxHash3.HashToUInt64(file.AsSpan(0, size - 8)));
    }

    public static void WriteInt32(byte[] file, long offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan((int)offset), value);

    public static void WriteInt64(byte[] file, long offset, long value) => BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan((int)offset), value);
}
