using NativeHnsw.Distance;

namespace NativeHnsw;

public sealed partial class HnswIndex
{
    // Null until trained (or without quantization). Published after every node then present has its
    // compact row; an insert that sees it encodes its own row before publishing the node.
    private Int8Quantizer? _quantizer;

    /// <summary>True when searches walk compact rows: always under Float16, once the quantizer is trained under Int8.</summary>
    public bool IsQuantized => _options.Quantization == VectorQuantization.Float16 || Volatile.Read(ref _quantizer) is not null;

    /// <summary>The trained quantizer, or null; for tests and the file writer.</summary>
    internal Int8Quantizer? Quantizer => Volatile.Read(ref _quantizer);

    private bool NeedsTraining(long nodes) =>
        _options.Quantization == VectorQuantization.Int8 && Volatile.Read(ref _quantizer) is null && nodes >= _options.QuantizerTrainingSize;

    /// <summary>
    /// Trains the quantizer on the range of every vector the index holds plus <paramref name="batch"/> (rows
    /// about to be added, as the caller gave them), encodes every node, then publishes it. Inserts wait
    /// meanwhile (grow lock); searches go on walking float32 until it is published.
    /// </summary>
    private void TrainQuantizer(ReadOnlySpan<float> batch)
    {
        _growLock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            if (Volatile.Read(ref _quantizer) is not null)
                return;
            var quantizer = TrainOn(batch);
            if (quantizer is null)
                return;
            var storage = _storage;
            for (int node = 0; node < _count; node++)
                quantizer.Encode(storage.Vector(node), storage.WritableCodes(node));
            Volatile.Write(ref _quantizer, quantizer);
        }
        finally
        {
            _growLock.ExitWriteLock();
        }
    }

    /// <summary>
    /// A quantizer of the range of every vector the index holds plus <paramref name="batch"/> (rows as the caller gave
    /// them, prepared here); null when both are empty. Caller holds the grow write lock.
    /// </summary>
    private Int8Quantizer? TrainOn(ReadOnlySpan<float> batch)
    {
        int dims = Dimensions;
        if (_count == 0 && batch.Length < dims)
            return null;
        var min = new float[dims];
        var max = new float[dims];
        min.AsSpan().Fill(float.PositiveInfinity);
        max.AsSpan().Fill(float.NegativeInfinity);
        var storage = _storage;
        for (int node = 0; node < _count; node++)
            Int8Quantizer.Observe(storage.Vector(node), min, max);
        var prepared = new float[dims];
        for (int at = 0; at + dims <= batch.Length; at += dims)
        {
            PrepareVector(batch.Slice(at, dims), prepared);
            Int8Quantizer.Observe(prepared, min, max);
        }
        return Int8Quantizer.FromRange(min, max);
    }
}
