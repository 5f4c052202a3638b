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

    /// <summary>
    /// Recomputes every checksum the table's entries can be hashed for, then the header's, making any edit look
    /// intact: it then fails only the rules it breaks. Entries that point outside the file (a damaged table) are
    /// left as they are, so this works on any mutation.
    /// </summary>
    public static void Reseal(byte[] file)
    {
        if (file.Length < TableAt)
            return;
        int count = Math.Clamp(BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(SectionCountAt)), 0, 64);
        int size = TableAt + count * EntrySize + 8;
        if (size > file.Length)
            return;
        for (int i = 0; i < count; i++)
        {
            int at = TableAt + i * EntrySize;
            long offset = ReadInt64(file, at + 8), length = ReadInt64(file, at + 16);
            if (offset >= 0 && length >= 0 && offset <= file.Length && length <= file.Length - offset)
                BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at + 24), XxHash3.HashToUInt64(file.AsSpan((int)offset, (int)length)));
        }
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(size - 8), XxHash3.HashToUInt64(file.AsSpan(0, size - 8)));
    }

    /// <summary>The bytes of <paramref name="index"/> saved (through a file in <paramref name="folder"/>).</summary>
    public static byte[] SavedBytes(HnswIndex index, TempDirectory folder)
    {
        string path = folder.File("saved-" + Guid.NewGuid().ToString("N"));
        index.Save(path);
        return File.ReadAllBytes(path);
    }

    /// <summary>Writes <paramref name="bytes"/> as <paramref name="name"/> in <paramref name="folder"/>; returns its path.</summary>
    public static string Write(TempDirectory folder, string name, byte[] bytes)
    {
        string path = folder.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static void ResealHeader(byte[] file)
    {
        int size = HeaderSize(file);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(size - 8), XxHash3.HashToUInt64(file.AsSpan(0, size - 8)));
    }

    public static int ReadInt32(byte[] file, long offset) => BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan((int)offset));

    public static long ReadInt64(byte[] file, long offset) => BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan((int)offset));

    public static void WriteInt32(byte[] file, long offset, int value) => BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan((int)offset), value);

    public static void WriteInt64(byte[] file, long offset, long value) => BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan((int)offset), value);
}
