using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace NativeHnsw.Data;

/// <summary>
/// Readers and writers of the vector files researchers have: TEXMEX <c>.fvecs</c>/<c>.ivecs</c>/<c>.bvecs</c>, NumPy
/// <c>.npy</c> (float32, 2-D, C order), <c>.csv</c>/<c>.tsv</c> (one vector a line) and IDX (MNIST, Fashion-MNIST; raw
/// or gzip). Every missing or malformed file is a <see cref="VectorFileException"/> naming the file and what is wrong
/// with it, and where (record, byte offset, line).
/// </summary>
public static class VectorFiles
{
    /// <summary>The extensions <see cref="Read"/> understands.</summary>
    public static readonly string[] Extensions = [".fvecs", ".bvecs", ".npy", ".csv", ".tsv", ".idx", ".gz"];

    /// <summary>Reads a vector file by its extension; <paramref name="limit"/> keeps only the first rows.</summary>
    public static VectorSet Read(string path, int? limit = null)
    {
        if (!File.Exists(path))
            throw new VectorFileException(path, $"vector file '{path}' does not exist.");
        string name = path.ToLowerInvariant();
        try
        {
            if (name.EndsWith(".fvecs", StringComparison.Ordinal))
                return ReadFvecs(path, limit);
            if (name.EndsWith(".bvecs", StringComparison.Ordinal))
                return ReadBvecs(path, limit);
            if (name.EndsWith(".npy", StringComparison.Ordinal))
                return ReadNpy(path, limit);
            if (name.EndsWith(".csv", StringComparison.Ordinal))
                return ReadText(path, ',', limit);
            if (name.EndsWith(".tsv", StringComparison.Ordinal))
                return ReadText(path, '\t', limit);
            if (name.EndsWith("-ubyte.gz", StringComparison.Ordinal) || name.EndsWith("-ubyte", StringComparison.Ordinal) || name.EndsWith(".idx", StringComparison.Ordinal))
                return ReadIdxImages(path, limit);
        }
        catch (IOException e)
        {
            throw new VectorFileException(path, $"cannot read '{path}': {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VectorFileException(path, $"cannot read '{path}': {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new VectorFileException(path, $"'{path}' is not a valid gzip file: {e.Message}", e);
        }
        throw new VectorFileException(path,
            $"'{path}': unknown vector file type; use .fvecs, .bvecs, .npy (float32, 2-D), .csv, .tsv or an IDX image file (*-ubyte[.gz]).");
    }

    /// <summary>TEXMEX: each vector is an int32 dimension (little-endian) followed by that many float32 values.</summary>
    public static VectorSet ReadFvecs(string path, int? limit = null)
    {
        var (rows, dims) = ReadVecs(path, limit, "fvecs", sizeof(float));
        var data = new float[rows.Length * dims];
        for (int r = 0; r < rows.Length; r++)
            MemoryMarshal.Cast<byte, float>(rows[r]).CopyTo(data.AsSpan(r * dims, dims));
        return CheckedSet(path, data, dims);
    }

    /// <summary>TEXMEX integer vectors (ground truth files): each row an int32 count followed by that many int32 values.</summary>
    public static int[][] ReadIvecs(string path, int? limit = null)
    {
        if (!File.Exists(path))
            throw new VectorFileException(path, $"file '{path}' does not exist.");
        var (rows, _) = ReadVecs(path, limit, "ivecs", sizeof(int));
        var result = new int[rows.Length][];
        for (int r = 0; r < rows.Length; r++)
            result[r] = MemoryMarshal.Cast<byte, int>(rows[r]).ToArray();
        return result;
    }

    /// <summary>TEXMEX byte vectors (SIFT1B): each row an int32 dimension followed by that many uint8 values, read as floats 0..255.</summary>
    public static VectorSet ReadBvecs(string path, int? limit = null)
    {
        var (rows, dims) = ReadVecs(path, limit, "bvecs", sizeof(byte));
        var data = new float[rows.Length * dims];
        for (int r = 0; r < rows.Length; r++)
        {
            for (int i = 0; i < dims; i++)
                data[r * dims + i] = rows[r][i];
        }
        return CheckedSet(path, data, dims);
    }

    /// <summary>Writes byte vectors: <paramref name="values"/> row-major, <paramref name="dimensions"/> per row.</summary>
    public static void WriteBvecs(string path, ReadOnlySpan<byte> values, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        if (values.Length % dimensions != 0)
            throw new ArgumentException($"{values.Length} bytes are not a whole number of {dimensions}-byte rows.", nameof(values));
        using var stream = File.Create(path);
        Span<byte> dim = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(dim, dimensions);
        for (int offset = 0; offset < values.Length; offset += dimensions)
        {
            stream.Write(dim);
            stream.Write(values.Slice(offset, dimensions));
        }
    }

    public static void WriteFvecs(string path, VectorSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        using var stream = File.Create(path);
        Span<byte> dim = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(dim, set.Dimensions);
        for (int r = 0; r < set.Count; r++)
        {
            stream.Write(dim);
            stream.Write(MemoryMarshal.AsBytes(set.Row(r)));
        }
    }

    public static void WriteIvecs(string path, IReadOnlyList<int[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var stream = File.Create(path);
        Span<byte> dim = stackalloc byte[4];
        foreach (var row in rows)
        {
            BinaryPrimitives.WriteInt32LittleEndian(dim, row.Length);
            stream.Write(dim);
            stream.Write(MemoryMarshal.AsBytes(row.AsSpan()));
        }
    }

    /// <summary>NumPy format 1.0–3.0: magic, header length, a Python dict literal, then the C-order data.</summary>
    public static VectorSet ReadNpy(string path, int? limit = null)
    {
        using var stream = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[10];
        if (stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false) < prefix.Length
            || prefix[0] != 0x93 || !prefix[1..6].SequenceEqual("NUMPY"u8))
            throw new VectorFileException(path, $"'{path}' is not a NumPy .npy file (no \\x93NUMPY magic).");
        int major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
        }
        else if (major is 2 or 3)
        {
            Span<byte> rest = stackalloc byte[2];
            stream.ReadExactly(rest);
            headerLength = checked((int)(BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]) | ((uint)BinaryPrimitives.ReadUInt16LittleEndian(rest) << 16)));
        }
        else
        {
            throw new VectorFileException(path, $"'{path}': unsupported .npy format version {major}.");
        }
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerLength, throwOnEndOfStream: false) < headerLength)
            throw new VectorFileException(path, $"'{path}': the .npy header is truncated.");
        string header = Encoding.Latin1.GetString(headerBytes);
        string descr = NpyField(path, header, "descr");
        if (descr.Trim('\'', '"') is not ("<f4" or "=f4" or "f4"))
            throw new VectorFileException(path, $"'{path}': dtype {descr} is not supported; save the array as float32 (np.float32, '<f4').");
        if (NpyField(path, header, "fortran_order") != "False")
            throw new VectorFileException(path, $"'{path}': Fortran-order arrays are not supported; save with np.ascontiguousarray.");
        string shape = NpyField(path, header, "shape").Trim('(', ')');
        var parts = shape.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long rows)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int dims) || dims < 1)
            throw new VectorFileException(path, $"'{path}': shape ({shape}) is not 2-D (rows, dimensions).");
        long available = (stream.Length - stream.Position) / 4;
        if (available < rows * dims)
            throw new VectorFileException(path, $"'{path}': the header says {rows} × {dims} floats but the file holds only {available}.");
        int take = (int)Math.Min(rows, limit ?? long.MaxValue);
        var data = new float[checked(take * dims)];
        stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        return CheckedSet(path, data, dims);
    }

    public static void WriteNpy(string path, VectorSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        string dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({set.Count}, {set.Dimensions}), }}");
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string header = dict + new string(' ', padded - total) + "\n";
        using var stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(MemoryMarshal.AsBytes(set.Data.AsSpan()));
    }

    /// <summary>One vector a line, values separated by <paramref name="separator"/> (blank lines and a non-numeric first line skipped).</summary>
    public static VectorSet ReadText(string path, char separator, int? limit = null)
    {
        var values = new List<float>();
        int dims = -1;
        int lineNumber = 0;
        int rows = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (limit is { } l && rows >= l)
                break;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var fields = line.Split(separator, StringSplitOptions.TrimEntries);
            if (lineNumber == 1 && !float.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                continue; // a header row
            if (dims < 0)
                dims = fields.Length;
            else if (fields.Length != dims)
                throw new VectorFileException(path, $"'{path}' line {lineNumber}: {fields.Length} values, but the first vector has {dims}.");
            for (int i = 0; i < fields.Length; i++)
            {
                if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                    throw new VectorFileException(path, $"'{path}' line {lineNumber}, value {i + 1}: '{fields[i]}' is not a finite number.");
                values.Add(value);
            }
            rows++;
        }
        if (dims < 0)
            throw new VectorFileException(path, $"'{path}' holds no vectors.");
        return CheckedSet(path, values.ToArray(), dims);
    }

    public static void WriteText(string path, VectorSet set, char separator)
    {
        ArgumentNullException.ThrowIfNull(set);
        using var writer = new StreamWriter(path);
        for (int r = 0; r < set.Count; r++)
        {
            var row = set.Row(r);
            for (int i = 0; i < row.Length; i++)
            {
                if (i > 0)
                    writer.Write(separator);
                writer.Write(row[i].ToString("R", CultureInfo.InvariantCulture));
            }
            writer.WriteLine();
        }
    }

    /// <summary>IDX unsigned-byte images (magic 0x00000803, big-endian sizes), gzip-compressed when the name ends in .gz; pixels become floats 0..255.</summary>
    public static VectorSet ReadIdxImages(string path, int? limit = null)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        Span<byte> header = stackalloc byte[16];
        if (stream.ReadAtLeast(header, 16, throwOnEndOfStream: false) < 16)
            throw new VectorFileException(path, $"'{path}': too short for an IDX image header.");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (magic != 0x00000803)
            throw new VectorFileException(path, $"'{path}': IDX magic 0x{magic:X8} is not 0x00000803 (unsigned-byte, 3-D images).");
        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int height = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        int width = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        if (count < 0 || height < 1 || width < 1 || (long)height * width > 65_536)
            throw new VectorFileException(path, $"'{path}': implausible IDX sizes {count} × {height} × {width}.");
        int dims = height * width;
        int take = Math.Min(count, limit ?? int.MaxValue);
        var pixels = new byte[checked(take * dims)];
        int read = stream.ReadAtLeast(pixels, pixels.Length, throwOnEndOfStream: false);
        if (read < pixels.Length)
            throw new VectorFileException(path, $"'{path}': truncated: {take} images of {dims} pixels expected, {read / dims} found.");
        var data = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
            data[i] = pixels[i];
        return CheckedSet(path, data, dims);
    }

    public static void WriteIdxImages(string path, byte[] pixels, int count, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        using var file = File.Create(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Fastest) : file;
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], count);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], height);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], width);
        stream.Write(header);
        stream.Write(pixels);
    }

    private static (byte[][] Rows, int Dims) ReadVecs(string path, int? limit, string kind, int elementSize)
    {
        using var stream = File.OpenRead(path);
        long length = stream.Length;
        var rows = new List<byte[]>();
        int dims = -1;
        Span<byte> prefix = stackalloc byte[4];
        long offset = 0;
        while (offset < length && (limit is null || rows.Count < limit))
        {
            if (stream.ReadAtLeast(prefix, 4, throwOnEndOfStream: false) < 4)
                throw new VectorFileException(path, $"'{path}': truncated {kind} record at byte {offset}.");
            int d = BinaryPrimitives.ReadInt32LittleEndian(prefix);
            if (d < 1 || d > HnswOptions.MaxDimensions)
                throw new VectorFileException(path, $"'{path}': {kind} record {rows.Count} at byte {offset} declares {d} dimensions; not a valid .{kind} file.");
            if (dims < 0)
                dims = d;
            else if (d != dims)
                throw new VectorFileException(path, $"'{path}': {kind} record {rows.Count} at byte {offset} has {d} dimensions, the first has {dims}.");
            var row = new byte[d * elementSize];
            if (stream.ReadAtLeast(row, row.Length, throwOnEndOfStream: false) < row.Length)
                throw new VectorFileException(path, $"'{path}': truncated {kind} record {rows.Count} at byte {offset}: the file ends inside it.");
            rows.Add(row);
            offset += 4 + row.Length;
        }
        if (rows.Count == 0)
            throw new VectorFileException(path, $"'{path}' holds no vectors.");
        return (rows.ToArray(), dims);
    }

    private static string NpyField(string path, string header, string key)
    {
        int at = header.IndexOf($"'{key}'", StringComparison.Ordinal);
        if (at < 0)
            throw new VectorFileException(path, $"'{path}': the .npy header has no '{key}'.");
        int colon = header.IndexOf(':', at);
        int start = colon + 1;
        int end = key == "shape" ? header.IndexOf(')', start) + 1 : header.IndexOf(',', start);
        if (colon < 0 || end <= start)
            throw new VectorFileException(path, $"'{path}': cannot parse '{key}' in the .npy header.");
        return header[start..end].Trim();
    }

    private static VectorSet CheckedSet(string path, float[] data, int dims)
    {
        for (int i = 0; i < data.Length; i++)
        {
            if (!float.IsFinite(data[i]))
                throw new VectorFileException(path, $"'{path}': vector {i / dims}, component {i % dims} is {data[i]}; every value must be finite.");
        }
        if (dims > HnswOptions.MaxDimensions)
            throw new VectorFileException(path, $"'{path}': {dims} dimensions is more than the index supports ({HnswOptions.MaxDimensions}).");
        return new VectorSet(data, dims);
    }
}
