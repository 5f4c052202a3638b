using System.Buffers;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using NativeHnsw.Distance;
using NativeHnsw.Graph;

namespace NativeHnsw.IndexFiles;

/// <summary>
/// The graph's invariants, checked over blocks already read into memory: node states known,
/// counts as the header says, upper-level records tiling the pool in node order with levels in
/// range, every link count within M0 or M, every link id a node (not the node itself) that has
/// the level, unused level-0 slots zero, the entry point on the top level, and the label index a
/// sorted bijection onto the nodes that are not superseded, which holds every superseded node's
/// label. Vector rows are checked as they are read (<see cref="FirstBadRow"/>). Throws at the
/// first violation, naming the section and the node.
/// </summary>
internal static unsafe class GraphValidator
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static GraphSummary Check(string path, IndexHeader header, GraphStorage storage, ReadOnlySpan<int> labelIndex)
    {
        int n = header.NodeCount;
        int m = header.Options.M;
        int m0 = 2 * m;

        // States and the counts derived from them.
        var statesAt = header.Section(SectionId.States);
        int deleted = 0, hidden = 0;
        for (int node = 0; node < n; node++)
        {
            byte state = storage.States[node];
            if (state > (byte)NodeState.Superseded)
                throw Fail(path, statesAt, $"node {node} has unknown state {state}");
            if (state != (byte)NodeState.Live)
                hidden++;
            if (state == (byte)NodeState.Deleted)
                deleted++;
        }
        if (deleted != header.DeletedCount || hidden != header.HiddenCount)
            throw Fail(path, statesAt, $"{deleted} deleted and {hidden} hidden nodes, the header says {header.DeletedCount} and {header.HiddenCount}");

        // Upper-level records: in node order, back to back, levels 1..MaxLevel.
        var offsetsAt = header.Section(header.SparseUpperOffsets ? SectionId.UpperIndex : SectionId.UpperOffsets);
        var levels = new byte[n];
        long position = 0;
        int topLevel = n == 0 ? -1 : 0;
        for (int node = 0; node < n; node++)
        {
            int offset = storage.UpperOffsets[node];
            if (offset == -1)
                continue;
            if (offset != position)
                throw Fail(path, offsetsAt, $"node {node} has upper-level offset {offset}, expected -1 or {position}");
            int level = position < header.UpperUsed ? storage.UpperLinks[position] : 0;
            if (level is < 1 or > HnswIndex.MaxLevel)
                throw Fail(path, header.Section(SectionId.UpperLinks), $"node {node} has level {level}, outside 1..{HnswIndex.MaxLevel}");
            position += 1 + (long)level * (1 + m);
            if (position > header.UpperUsed)
                throw Fail(path, header.Section(SectionId.UpperLinks), $"node {node}'s level-{level} record runs past the pool's {header.UpperUsed} ints");
            levels[node] = (byte)level;
            topLevel = Math.Max(topLevel, level);
        }
        if (position != header.UpperUsed)
            throw Fail(path, header.Section(SectionId.UpperLinks), $"the records fill {position} of the pool's {header.UpperUsed} ints");

        if (n > 0 && (levels[header.EntryNode] != header.EntryLevel || header.EntryLevel != topLevel))
            throw Fail(path, null,
                $"entry point node {header.EntryNode} at level {header.EntryLevel} is not on the top level {topLevel} (its own level is {levels[header.EntryNode]})");

        // Links at every level.
        var view = storage.View(n, header.UpperUsed);
        var links0At = header.Section(SectionId.Links0);
        var upperAt = header.Section(SectionId.UpperLinks);
        long linkCount = 0;
        for (int node = 0; node < n; node++)
        {
            linkCount += CheckSlot(path, view.Links(node, 0), m0, node, 0, n, levels, links0At);
            for (int level = 1; level <= levels[node]; level++)
                linkCount += CheckSlot(path, view.Links(node, level), m, node, level, n, levels, upperAt);
        }

        // Vector rows were checked (FirstBadRow) as IndexReader read them, in the pass that hashed them.

        // Label index: strictly ascending labels of distinct, non-superseded nodes; as many as there are such nodes.
        // An implicit label index is 0..N − 1 (no array: labelIndex is ignored), so its order is the order of the labels themselves.
        bool implicitIndex = header.ImplicitLabelIndex;
        var indexAt = header.Section(implicitIndex ? SectionId.Labels : SectionId.LabelIndex);
        for (int i = 0; i < header.LabelCount; i++)
        {
            int node = implicitIndex ? i : labelIndex[i];
            if ((uint)node >= (uint)n)
                throw Fail(path, indexAt, $"entry {i} names node {node}, outside 0..{n - 1}");
            if (storage.States[node] == (byte)NodeState.Superseded)
                throw Fail(path, indexAt, $"entry {i} names node {node}, which is superseded");
            int previous = implicitIndex ? i - 1 : i > 0 ? labelIndex[i - 1] : -1;
            // Blocks without labels hold identity labels (the load checked each label is its node id): they ascend.
            if (i > 0 && storage.Labels != null && storage.Labels[node] <= storage.Labels[previous])
                throw Fail(path, indexAt, $"entry {i} (label {storage.Labels[node]}) is not above entry {i - 1} (label {storage.Labels[previous]})");
        }

        // A superseded node is an old vector of a label that was added again, so some indexed node holds its label.
        if (header.LabelCount < n)
        {
            for (int node = 0; node < n; node++)
            {
                if (storage.States[node] == (byte)NodeState.Superseded && !IsIndexed(storage.Labels[node], storage.Labels, implicitIndex ? default : labelIndex, header.LabelCount))
                    throw Fail(path, statesAt, $"node {node} is superseded, but no node in the label index holds its label {storage.Labels[node]}");
            }
        }
        return new GraphSummary(topLevel, linkCount);
    }

    /// <summary>
    /// The first of the whole rows in <paramref name="rows"/> that breaks the vectors rule (every component finite; under
    /// cosine, unit length within <see cref="IndexFormat.UnitNormTolerance"/>), or −1. One sum of squares per
    /// row decides both rules: it is finite whenever every component is, and the rare non-finite sum of finite
    /// components (an overflow) is told apart by a second look at that row alone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int FirstBadRow(ReadOnlySpan<float> rows, int dims, bool cosine)
    {
        // Without cosine only finiteness matters: one vectorised pass over all the rows, row by row only to find a culprit.
        if (!cosine && TensorPrimitives.IsFiniteAll(rows))
            return -1;
        int count = rows.Length / dims;
        for (int row = 0; row < count; row++)
        {
            var vector = rows.Slice(row * dims, dims);
            float sum = TensorPrimitives.SumOfSquares(vector);
            bool good = cosine ? MathF.Abs(sum - 1f) <= IndexFormat.UnitNormTolerance : float.IsFinite(sum) || TensorPrimitives.IsFiniteAll(vector);
            if (!good)
                return row;
        }
        return -1;
    }

    /// <summary>The error for a row <see cref="FirstBadRow"/> found.</summary>
    public static IndexFormatException BadRow(string path, SectionEntry vectors, int node, ReadOnlySpan<float> vector)
    {
        int dims = vector.Length;
        string problem = TensorPrimitives.IsFiniteAll(vector)
            ? string.Create(CultureInfo.InvariantCulture,
                $"node {node}'s vector has squared length {TensorPrimitives.SumOfSquares(vector)}; under cosine stored rows are unit length (squared length within {IndexFormat.UnitNormTolerance} of 1)")
            : $"node {node}'s vector has a NaN or infinite component";
        return new IndexFormatException(path, vectors.Name, vectors.Offset + (long)node * dims * sizeof(float), problem);
    }

    /// <summary>Every vector row of the first <paramref name="nodes"/> nodes, as <see cref="FirstBadRow"/> checks them while a load reads them.</summary>
    public static void CheckRows(string path, IndexHeader header, GraphStorage storage, int nodes)
    {
        var o = header.Options;
        var rows = new ReadOnlySpan<float>(storage.Vectors, checked(nodes * o.Dimensions));
        if (FirstBadRow(rows, o.Dimensions, o.Metric == DistanceMetric.Cosine) is int bad and >= 0)
            throw BadRow(path, header.Section(SectionId.Vectors), bad, rows.Slice(bad * o.Dimensions, o.Dimensions));
    }

    /// <summary>
    /// Every compact row of nodes <paramref name="first"/> .. <paramref name="end"/> − 1 must be exactly the encoding of
    /// its node's float32 row (FORMAT.md): that is how they were written, and it is what makes the compact walk and the
    /// re-ranking agree. Nothing to check for a float32 index, or an int8 one whose quantizer is not trained (or whose
    /// quantizer section failed, which says so).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CheckCompactRows(string path, IndexHeader header, GraphStorage storage, Int8Quantizer? quantizer, int first, int end)
    {
        var codes = header.Options.Quantization;
        bool int8 = codes == VectorQuantization.Int8;
        if (codes == VectorQuantization.None || (int8 && (quantizer is null || !header.HasInt8)))
            return;
        var id = int8 ? SectionId.Int8Vectors : SectionId.Float16Vectors;
        int stride = int8 ? quantizer!.RowBytes : Float16Codec.StrideOf(header.Options.Dimensions);
        var rented = ArrayPool<byte>.Shared.Rent(stride);
        try
        {
            var expected = rented.AsSpan(0, stride);
            for (int node = first; node < end; node++)
            {
                if (int8)
                    quantizer!.Encode(storage.Vector(node), expected);
                else
                    Float16Codec.Encode(storage.Vector(node), expected);
                if (!storage.Bytes(id, (long)node * stride, stride).SequenceEqual(expected))
                {
                    var section = header.Section(id);
                    throw new IndexFormatException(path, section.Name, section.Offset + (long)node * stride,
                        $"the {(int8 ? "int8" : "float16")} row of node {node} is not the encoding of its float32 vector");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>True when a node of the label index holds <paramref name="label"/>; an empty <paramref name="labelIndex"/> is the implicit 0..count − 1.</summary>
    private static bool IsIndexed(long label, long* labels, ReadOnlySpan<int> labelIndex, int count)
    {
        int lo = 0, hi = count - 1;
        while (lo <= hi)
        {
            int mid = (int)(((uint)lo + (uint)hi) >> 1);
            long found = labels[labelIndex.IsEmpty ? mid : labelIndex[mid]];
            if (found == label)
                return true;
            if (found < label)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CheckSlot(string path, int* slot, int max, int node, int level, int n, byte[] levels, SectionEntry section)
    {
        int count = slot[0];
        if ((uint)count > (uint)max)
            throw Fail(path, section, $"node {node} has {count} links at level {level}, more than the {max} allowed");
        // Level 0, most of the links: every node has level ≥ 0, so only the range and self rules apply, and they are
        // checked in two vectorised passes; the scalar loop runs for upper levels and to name a culprit.
        var links = new ReadOnlySpan<int>(slot + 1, count);
        bool clean = level == 0 && links.IndexOfAnyExceptInRange(0, n - 1) < 0 && !links.Contains(node);
        for (int i = 1; !clean && i <= count; i++)
        {
            int target = slot[i];
            if ((uint)target >= (uint)n)
                throw Fail(path, section, $"node {node} links to node {target} at level {level}; node ids are 0..{n - 1}");
            if (target == node)
                throw Fail(path, section, $"node {node} links to itself at level {level}");
            if (levels[target] < level)
                throw Fail(path, section, $"node {node} links at level {level} to node {target}, whose level is {levels[target]}");
        }
        // Level-0 slots past the count are zero (the file is deterministic); upper-level ones are unspecified.
        if (level == 0 && new ReadOnlySpan<int>(slot + 1 + count, max - count).IndexOfAnyExcept(0) is int unused and >= 0)
            throw Fail(path, section, $"node {node}'s unused level-0 link slot {count + unused} holds {slot[1 + count + unused]}, not 0");
        return count;
    }

    private static IndexFormatException Fail(string path, SectionEntry? section, string problem) =>
        new(path, section?.Name ?? "header", section?.Offset ?? -1, problem);
}
