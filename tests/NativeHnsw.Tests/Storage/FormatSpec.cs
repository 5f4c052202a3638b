using System.Buffers.Binary;
using System.IO.Hashing;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// docs/FORMAT.md read independently of the library: decides from the bytes alone whether a file is a
/// valid index, rule by rule as the page states them, using none of the library's reader, header or
/// validator code. The fuzz properties hold Load and Verify to it.
/// </summary>
internal static class FormatSpec
{
    public enum Verdict
    {
        Valid,
        Invalid,

        /// <summary>Valid or not depending on float rounding: a cosine row whose squared length sits at the tolerance's edge.</summary>
        Either,
    }

    public readonly record struct Result(Verdict Verdict, string Reason, bool HeaderValid);

    private const int MaxNodes = int.MaxValue - 1024;
    private const int MaxLevel = 63;
    private const double UnitTolerance = 1e-3;

    /// <summary>How far apart an f32 and an f64 sum of squares may be near the tolerance: the verdict there is either.</summary>
    private const double RoundingSlack = 1e-5;

    private sealed record Section(uint Id, long Offset, long Length, ulong Checksum);

    /// <param name="f">The file's bytes.</param>
    /// <param name="asVersion10">Apply the 1.0 rules alone (bytes 96..127 reserved, ids 8 and 9 unknown): what a 1.0 reader decides.</param>
    public static Result Check(byte[] f, bool asVersion10 = false)
    {
        string? header = CheckHeader(f, asVersion10, out var h);
        if (header is not null)
            return new Result(Verdict.Invalid, header, false);
        var verdict = CheckBody(f, h!, asVersion10, out string reason);
        return new Result(verdict, reason, true);
    }

    private sealed record Header(int Metric, int Dims, int M, int N, int L, int Deleted, int Hidden, long U, int EntryNode, int EntryLevel, Section[] Sections, int Size,
        bool Sparse, bool Implicit, int K);

    private static string? CheckHeader(byte[] f, bool asVersion10, out Header? header)
    {
        header = null;
        if (f.Length < 128 || U64(f, 0) != 0x5844_4957_534E_484EUL)
            return "too short or no magic";
        if (U16(f, 8) != 1)
            return "major version";
        int s = I32(f, 88);
        if (s is < 1 or > 64)
            return "section count";
        int size = 136 + 32 * s;
        if (I32(f, 12) != size || f.Length < size)
            return "header size";
        if (XxHash3.HashToUInt64(f.AsSpan(0, size - 8)) != U64(f, size - 8))
            return "header checksum";
        // Required feature flags: none before 1.2 (and none a 1.0 or 1.1 reader knows); 1.2 knows bits 0 and 1.
        uint flags = U32(f, 16);
        if (asVersion10 ? flags != 0 : (flags & ~3u) != 0 || (flags != 0 && U16(f, 10) < 2))
            return "flags";
        bool sparse = (flags & 1) != 0, implicitIndex = (flags & 2) != 0;
        int metric = I32(f, 20), dims = I32(f, 24), m = I32(f, 28);
        if (metric is < 0 or > 2 || dims is < 1 or > 65_536 || m is < 2 or > 256
            || I32(f, 32) is < 1 or > 65_536 || I32(f, 36) is < 1 or > 65_536 || I32(f, 92) is < 0 or > MaxNodes)
            return "options";
        int quantization = asVersion10 ? 0 : I32(f, 96);
        if (!asVersion10 && (quantization is not (0 or 1 or 2) || I32(f, 100) is < 0 or > MaxNodes || (U32(f, 104) & ~1u) != 0))
            return "quantization options";
        if (quantization != 0 && U16(f, 10) < 1)
            return "quantization in a 1.0 file";
        int n = I32(f, 48), l = I32(f, 52), d = I32(f, 56), hidden = I32(f, 60);
        if (n is < 0 or > MaxNodes || l < 0 || l > n || d < 0 || d > l || hidden != d + (n - l))
            return "counts";
        int k = sparse ? I32(f, 108) : 0;
        if (k < 0 || k > n)
            return "upper node count";
        if (implicitIndex && l != n)
            return "implicit label index with superseded nodes";
        long u = I64(f, 64);
        int entryNode = I32(f, 72), entryLevel = I32(f, 76);
        if (n == 0 ? entryNode != -1 || entryLevel != -1 : entryNode < 0 || entryNode >= n || entryLevel is < 0 or > MaxLevel)
            return "entry point";
        long r = 1 + (long)Math.Max(entryLevel, 0) * (1 + m);
        if (n == 0 || entryLevel == 0 ? u != 0 : u < r || u > n * r)
            return "pool size";
        if (I64(f, 80) != f.Length)
            return "file length";
        var sections = new Section[s];
        long previousEnd = size;
        for (int i = 0; i < s; i++)
        {
            int at = 128 + 32 * i;
            var entry = new Section(U32(f, at), I64(f, at + 8), I64(f, at + 16), U64(f, at + 24));
            if (U32(f, at + 4) != 0)
                return "table reserved";
            if (sections.Take(i).Any(x => x.Id == entry.Id))
                return "duplicate section";
            if (entry.Offset < previousEnd || entry.Offset - previousEnd >= 4096 || entry.Offset % 64 != 0)
                return "section offset";
            if (entry.Length < 0 || entry.Length > f.Length - entry.Offset)
                return "section bounds";
            long? expected = entry.Id switch
            {
                1 => (long)n * dims * 4,
                2 => (long)n * (1 + 2 * m) * 4,
                3 => u * 4,
                4 => (long)n * 4,
                5 => (long)n * 8,
                6 => n,
                7 => (long)l * 4,
                8 when !asVersion10 => n * (long)RowBytes(dims),
                9 when !asVersion10 => 2L * dims * 4,
                10 when !asVersion10 => n * 2L * dims,
                11 when !asVersion10 => 8L * k,
                _ => null,
            };
            if (expected is long e && entry.Length != e)
                return "section length";
            sections[i] = entry;
            previousEnd = entry.Offset + entry.Length;
        }
        if (previousEnd != f.Length)
            return "bytes after the last section";
        foreach (uint id in new uint[] { 1, 2, 3, 5, 6 })
        {
            if (!sections.Any(x => x.Id == id))
                return "missing section";
        }
        if (sections.Any(x => x.Id == 4) == sparse || sections.Any(x => x.Id == 7) == implicitIndex || (!asVersion10 && sections.Any(x => x.Id == 11) != sparse))
            return "sections the flags rule out";
        bool rows = sections.Any(x => x.Id == 8), parameters = sections.Any(x => x.Id == 9);
        if (!asVersion10 && (rows != parameters || (rows && quantization != 2)))
            return "int8 sections";
        if (!asVersion10 && sections.Any(x => x.Id == 10) != (quantization == 1))
            return "float16 section";
        header = new Header(metric, dims, m, n, l, d, hidden, u, entryNode, entryLevel, sections, size, sparse, implicitIndex, k);
        return null;
    }

    private static Verdict CheckBody(byte[] f, Header h, bool asVersion10, out string reason)
    {
        reason = "";
        long position = h.Size;
        foreach (var s in h.Sections)
        {
            if (f.AsSpan((int)position, (int)(s.Offset - position)).ContainsAnyExcept((byte)0))
                return Invalid(out reason, "padding");
            if (XxHash3.HashToUInt64(f.AsSpan((int)s.Offset, (int)s.Length)) != s.Checksum)
                return Invalid(out reason, $"checksum of section {s.Id}");
            position = s.Offset + s.Length;
        }
        long At(uint id) => h.Sections.Single(x => x.Id == id).Offset;
        long vectors = At(1), links0 = At(2), pool = At(3), labels = At(5), states = At(6);
        int n = h.N, m = h.M, m0 = 2 * m;

        // Upper offsets, dense (section 4) or sparse (1.2, section 11: k ids ascending, then their offsets).
        var offsets = new int[n];
        if (h.Sparse)
        {
            long upper = At(11);
            Array.Fill(offsets, -1);
            for (int i = 0; i < h.K; i++)
            {
                int node = I32(f, upper + 4L * i);
                if (node < 0 || node >= n || (i > 0 && node <= I32(f, upper + 4L * (i - 1))) || I32(f, upper + 4L * (h.K + i)) < 0)
                    return Invalid(out reason, "upper index ids");
                offsets[node] = I32(f, upper + 4L * (h.K + i));
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
                offsets[i] = I32(f, At(4) + 4L * i);
        }

        // The label index, stored (section 7) or implicit (1.2: entry i is node i).
        var index = new int[h.L];
        for (int i = 0; i < h.L; i++)
            index[i] = h.Implicit ? i : I32(f, At(7) + 4L * i);

        int deleted = 0, hidden = 0;
        for (int i = 0; i < n; i++)
        {
            byte state = f[states + i];
            if (state > 2)
                return Invalid(out reason, "state");
            hidden += state != 0 ? 1 : 0;
            deleted += state == 1 ? 1 : 0;
        }
        if (deleted != h.Deleted || hidden != h.Hidden)
            return Invalid(out reason, "state counts");

        var levels = new int[n];
        long next = 0;
        int top = n == 0 ? -1 : 0;
        for (int i = 0; i < n; i++)
        {
            int offset = offsets[i];
            if (offset == -1)
                continue;
            if (offset != next || next >= h.U)
                return Invalid(out reason, "upper offset");
            int level = I32(f, pool + 4 * next);
            if (level is < 1 or > MaxLevel)
                return Invalid(out reason, "level");
            next += 1 + (long)level * (1 + m);
            if (next > h.U)
                return Invalid(out reason, "record past the pool");
            levels[i] = level;
            top = Math.Max(top, level);
        }
        if (next != h.U)
            return Invalid(out reason, "pool not tiled");
        if (n > 0 && (levels[h.EntryNode] != h.EntryLevel || h.EntryLevel != top))
            return Invalid(out reason, "entry point not on the top level");

        for (int i = 0; i < n; i++)
        {
            long slot = links0 + 4L * i * (1 + m0);
            if (!SlotOk(f, slot, m0, i, 0, levels, zeroTail: true))
                return Invalid(out reason, "level-0 slot");
            long record = pool + 4L * offsets[i];
            for (int level = 1; level <= levels[i]; level++)
            {
                if (!SlotOk(f, record + 4 + 4L * (level - 1) * (1 + m), m, i, level, levels, zeroTail: false))
                    return Invalid(out reason, "upper slot");
            }
        }

        bool either = false;
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            bool finite = true;
            for (int c = 0; c < h.Dims; c++)
            {
                float x = BinaryPrimitives.ReadSingleLittleEndian(f.AsSpan((int)(vectors + 4L * ((long)i * h.Dims + c))));
                finite &= float.IsFinite(x);
                sum += (double)x * x;
            }
            if (!finite)
                return Invalid(out reason, "non-finite component");
            if (h.Metric == 0)
            {
                double off = Math.Abs(sum - 1);
                if (off > UnitTolerance + RoundingSlack)
                    return Invalid(out reason, "cosine row not unit length");
                either |= off > UnitTolerance - RoundingSlack;
            }
        }

        long Label(int node) => I64(f, labels + 8L * node);
        var indexed = new HashSet<long>();
        for (int i = 0; i < h.L; i++)
        {
            int node = index[i];
            if (node < 0 || node >= n || f[states + node] == 2)
                return Invalid(out reason, "label index entry");
            if (i > 0 && Label(node) <= Label(index[i - 1]))
                return Invalid(out reason, "label index order");
            indexed.Add(Label(node));
        }
        for (int i = 0; i < n; i++)
        {
            if (f[states + i] == 2 && !indexed.Contains(Label(i)))
                return Invalid(out reason, "superseded label not indexed");
        }
        if (!asVersion10 && h.Sections.Any(x => x.Id == 8))
        {
            var int8 = CheckInt8(f, h, vectors, At(9), At(8));
            if (int8 == Verdict.Invalid)
                return Invalid(out reason, "int8 rows or quantizer");
            if (int8 == Verdict.Either)
            {
                reason = "int8 code at a rounding edge";
                return Verdict.Either;
            }
        }
        if (!asVersion10 && h.Sections.Any(x => x.Id == 10))
        {
            long halves = At(10);
            for (long i = 0; i < (long)n * h.Dims; i++)
            {
                float x = BinaryPrimitives.ReadSingleLittleEndian(f.AsSpan((int)(vectors + 4 * i)));
                if (BinaryPrimitives.ReadHalfLittleEndian(f.AsSpan((int)(halves + 2 * i))) != (Half)Math.Clamp(x, -65_504f, 65_504f))
                    return Invalid(out reason, "float16 row");
            }
        }
        reason = either ? "cosine row at the tolerance's edge" : "valid";
        return either ? Verdict.Either : Verdict.Valid;
    }

    private static int RowBytes(int dims) => (dims + 3) / 4 * 4 + 4;

    /// <summary>
    /// 1.1: parameters finite with scales ≥ 0 and min + 255·scale finite; each row the encoding of its f32 row
    /// (codes computed here in f64, so a code within 10⁻³ of a rounding midpoint may go either way), zero padding,
    /// and the f32 of the f64 sum of squares of min + c·scale.
    /// </summary>
    private static Verdict CheckInt8(byte[] f, Header h, long vectors, long parameters, long rows)
    {
        int dims = h.Dims, rowBytes = RowBytes(dims);
        var min = new float[dims];
        var scale = new float[dims];
        for (int d = 0; d < dims; d++)
        {
            min[d] = BinaryPrimitives.ReadSingleLittleEndian(f.AsSpan((int)(parameters + 4L * d)));
            scale[d] = BinaryPrimitives.ReadSingleLittleEndian(f.AsSpan((int)(parameters + 4L * (dims + d))));
            if (!float.IsFinite(min[d]) || !float.IsFinite(scale[d]) || scale[d] < 0 || !float.IsFinite(min[d] + 255 * scale[d]))
                return Verdict.Invalid;
        }
        bool either = false;
        for (int i = 0; i < h.N; i++)
        {
            long row = rows + (long)i * rowBytes;
            double norm = 0;
            for (int d = 0; d < dims; d++)
            {
                float x = BinaryPrimitives.ReadSingleLittleEndian(f.AsSpan((int)(vectors + 4L * ((long)i * dims + d))));
                int stored = f[row + d];
                int expected = 0;
                bool edge = false;
                if (scale[d] > 0)
                {
                    double t = ((double)x - min[d]) / scale[d];
                    expected = (int)Math.Clamp(Math.Round(t), 0, 255);
                    edge = Math.Abs(t - Math.Floor(t) - 0.5) < 1e-3 && t > -0.5 && t < 255.5;
                }
                if (stored != expected)
                {
                    if (!edge || Math.Abs(stored - expected) > 1)
                        return Verdict.Invalid;
                    either = true;
                }
                double decoded = min[d] + stored * (double)scale[d];
                norm += decoded * decoded;
            }
            for (int p = dims; p < rowBytes - 4; p++)
            {
                if (f[row + p] != 0)
                    return Verdict.Invalid;
            }
            if (BinaryPrimitives.ReadSingleLittleEndian(f.AsSpan((int)(row + rowBytes - 4))) != (float)norm)
                return Verdict.Invalid;
        }
        return either ? Verdict.Either : Verdict.Valid;
    }

    private static bool SlotOk(byte[] f, long slot, int max, int node, int level, int[] levels, bool zeroTail)
    {
        int count = I32(f, slot);
        if (count < 0 || count > max)
            return false;
        for (int j = 1; j <= count; j++)
        {
            int target = I32(f, slot + 4L * j);
            if (target < 0 || target >= levels.Length || target == node || levels[target] < level)
                return false;
        }
        for (int j = count + 1; zeroTail && j <= max; j++)
        {
            if (I32(f, slot + 4L * j) != 0)
                return false;
        }
        return true;
    }

    private static Verdict Invalid(out string reason, string why)
    {
        reason = why;
        return Verdict.Invalid;
    }

    private static int I32(byte[] f, long at) => BinaryPrimitives.ReadInt32LittleEndian(f.AsSpan((int)at));

    private static uint U32(byte[] f, long at) => BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan((int)at));

    private static ushort U16(byte[] f, long at) => BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan((int)at));

    private static long I64(byte[] f, long at) => BinaryPrimitives.ReadInt64LittleEndian(f.AsSpan((int)at));

    private static ulong U64(byte[] f, long at) => BinaryPrimitives.ReadUInt64LittleEndian(f.AsSpan((int)at));
}
