using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NativeHnsw.Cli;

/// <summary>
/// Reads vectors for <c>nhnsw build</c>: <c>.fvecs</c> (int32 dimension then that many float32, per row), <c>.npy</c>
/// (a 2-D little-endian float32 C-order array) and <c>.csv</c>/<c>.tsv</c> (one row per line; a first line that is
/// not numeric is a header). Rows are labelled 0, 1, 2, … Every problem is a <see cref="CliUsageException"/> naming
/// the file, the row and what is wrong.
/// </summary>
internal static partial class VectorFile
{
    public static (float[] Data, int Count, int Dimensions) Read(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        var result = extension switch
        {
            ".fvecs" => ReadFvecs(path),
            ".npy" => ReadNpy(path),
            ".csv" => ReadText(path, ','),
            ".tsv" => ReadText(path, '\t'),
            _ => throw new CliUsageException($"'{path}': unknown vector file type '{extension}'; use .fvecs, .npy, .csv or .tsv."),
        };
        if (result.Count == 0)
            throw new CliUsageException($"'{path}' holds no vectors.");
        return result;
    }

    private static (float[] Data, int Count, int Dimensions) ReadFvecs(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 4)
            throw new CliUsageException($"'{path}' is truncated: no dimension field.");
        int d = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (d is < 1 or > HnswOptions.MaxDimensions)
            throw new CliUsageException($"'{path}': row 0 declares {d} dimensions (1 to {HnswOptions.MaxDimensions} allowed).");
        long rowBytes = 4 + 4L * d;
        if (bytes.Length % rowBytes != 0)
            throw new CliUsageException($"'{path}' is truncated: {bytes.Length} bytes is not a whole number of {rowBytes}-byte rows.");
        int n = checked((int)(bytes.Length / rowBytes));
        var data = new float[checked(n * d)];
        for (int row = 0; row < n; row++)
        {
            int at = checked((int)(row * rowBytes));
            int rd = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
            if (rd != d)
                throw new CliUsageException($"'{path}': row {row} declares {rd} dimensions, row 0 declared {d}.");
            for (int i = 0; i < d; i++)
                data[(row * d) + i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at + 4 + (4 * i)));
        }
        return (data, n, d);
    }

    private static (float[] Data, int Count, int Dimensions) ReadNpy(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new CliUsageException($"'{path}' is not a .npy file (bad magic).");
        int major = bytes[6];
        int headerLength, headerStart;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
            headerStart = 10;
        }
        else if (major is 2 or 3 && bytes.Length >= 12)
        {
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
            headerStart = 12;
        }
        else
        {
            throw new CliUsageException($"'{path}': unsupported .npy version {major}.");
        }
        if (headerStart + headerLength > bytes.Length)
            throw new CliUsageException($"'{path}' is truncated inside its header.");
        string header = Encoding.Latin1.GetString(bytes, headerStart, headerLength);
        var descr = NpyDescr().Match(header);
        if (!descr.Success || descr.Groups[1].Value is not ("<f4" or "=f4" or "f4"))
            throw new CliUsageException($"'{path}': only little-endian float32 arrays are read (descr {(descr.Success ? descr.Groups[1].Value : "missing")}).");
        if (NpyFortran().IsMatch(header))
            throw new CliUsageException($"'{path}': Fortran-order arrays are not read; save with C order.");
        var shape = NpyShape().Match(header);
        if (!shape.Success)
            throw new CliUsageException($"'{path}': the array must be 2-D (rows, dimensions).");
        int n = int.Parse(shape.Groups[1].Value, CultureInfo.InvariantCulture);
        int d = int.Parse(shape.Groups[2].Value, CultureInfo.InvariantCulture);
        if (d is < 1 or > HnswOptions.MaxDimensions)
            throw new CliUsageException($"'{path}': {d} dimensions (1 to {HnswOptions.MaxDimensions} allowed).");
        long expected = 4L * n * d;
        int dataStart = headerStart + headerLength;
        if (bytes.Length - dataStart != expected)
            throw new CliUsageException($"'{path}' is truncated: {bytes.Length - dataStart} data bytes, shape ({n}, {d}) needs {expected}.");
        var data = new float[checked(n * d)];
        for (int i = 0; i < data.Length; i++)
            data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + (4 * i)));
        return (data, n, d);
    }

    private static (float[] Data, int Count, int Dimensions) ReadText(string path, char separator)
    {
        var values = new List<float>();
        int d = -1, n = 0, lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0)
                continue;
            string[] parts = line.Split(separator, StringSplitOptions.TrimEntries);
            var row = new float[parts.Length];
            bool numeric = true;
            for (int i = 0; i < parts.Length && numeric; i++)
                numeric = float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out row[i]);
            if (!numeric)
            {
                if (n == 0 && d < 0 && lineNumber == 1)
                    continue; // a header line
                throw new CliUsageException($"'{path}' line {lineNumber}: not a row of numbers.");
            }
            if (d < 0)
                d = row.Length;
            else if (row.Length != d)
                throw new CliUsageException($"'{path}' line {lineNumber}: {row.Length} values, earlier rows have {d}.");
            values.AddRange(row);
            n++;
        }
        return ([.. values], n, Math.Max(d, 0));
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex NpyDescr();

    [GeneratedRegex(@"'fortran_order'\s*:\s*True")]
    private static partial Regex NpyFortran();

    [GeneratedRegex(@"'shape'\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*,?\s*\)")]
    private static partial Regex NpyShape();
}
