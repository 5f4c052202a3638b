using System.Runtime.InteropServices;
using NativeHnsw.Distance;

namespace NativeHnsw;

public sealed unsafe partial class HnswIndex
{
    /// <summary>
    /// Rows an <see cref="AddRange"/> into a float32 index must bring before its inserts walk temporary int8 codes:
    /// below it, training and encoding cost more than the walk saves.
    /// </summary>
    internal const int CompactBuildMinimumRows = 256;

    /// <summary>
    /// Nodes already held per row of the batch beyond which the batch builds on float32: every held node is encoded
    /// again (≈ 0.3 µs a row at 128 dimensions, against ≈ 250 µs an insert), so at this bound the encoding costs a few
    /// per cent of what the walk saves, and a build fed in 20 slices still walks codes in every slice.
    /// </summary>
    internal const int CompactBuildMaxHeldPerRow = 32;

    // Set for the time of a large AddRange into a float32 index (see BeginCompactBuild); null otherwise.
    private BuildCodes? _buildCodes;

    /// <summary>
    /// Int8 rows that exist only while a float32 index takes a batch: its insertion searches walk them, their candidates
    /// re-scored with float32 before the neighbours are chosen (as an Int8 index builds), and they are freed when the
    /// batch ends. Nodes from <see cref="Capacity"/> on have none; an insert that could reach one walks float32.
    /// </summary>
    private sealed class BuildCodes(Int8Quantizer quantizer, int capacity) : IDisposable
    {
        public Int8Quantizer Quantizer { get; } = quantizer;

        public int Capacity { get; } = capacity;

        public int Stride { get; } = quantizer.RowBytes;

        public byte* Rows { get; private set; } = (byte*)NativeMemory.AlignedAlloc((nuint)capacity * (nuint)quantizer.RowBytes, 64);

        public Span<byte> Row(int node) => new(Rows + (nint)node * Stride, Stride);

        public void Dispose()
        {
            NativeMemory.AlignedFree(Rows);
            Rows = null;
        }
    }

    /// <summary>Whether an AddRange of <paramref name="rows"/> into this index builds on temporary int8 codes.</summary>
    private bool BuildsOnTemporaryCodes(int rows) =>
        _options.Quantization == VectorQuantization.None && BuildOnCompact && rows >= CompactBuildMinimumRows
        && (long)rows * CompactBuildMaxHeldPerRow >= NodeCount && Volatile.Read(ref _buildCodes) is null;

    /// <summary>
    /// Trains a quantizer on the index's vectors and <paramref name="batch"/>, encodes every node into fresh codes sized
    /// to the reserved capacity, and publishes them for the inserts that follow. Inserts wait meanwhile (grow lock).
    /// Returns null when another batch's codes are already in use (that batch's codes serve both).
    /// </summary>
    private BuildCodes? BeginCompactBuild(ReadOnlySpan<float> batch)
    {
        _growLock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            if (_buildCodes is not null)
                return null;
            var quantizer = TrainOn(batch);
            if (quantizer is null)
                return null;
            var storage = _storage;
            var codes = new BuildCodes(quantizer, storage.NodeCapacity);
            for (int node = 0; node < _count; node++)
                quantizer.Encode(storage.Vector(node), codes.Row(node));
            Volatile.Write(ref _buildCodes, codes);
            return codes;
        }
        finally
        {
            _growLock.ExitWriteLock();
        }
    }

    /// <summary>Withdraws and frees the batch's codes once no insert can be walking them (grow write lock).</summary>
    private void EndCompactBuild(BuildCodes codes)
    {
        _growLock.EnterWriteLock();
        try
        {
            Volatile.Write(ref _buildCodes, null);
            codes.Dispose();
        }
        finally
        {
            _growLock.ExitWriteLock();
        }
    }
}
