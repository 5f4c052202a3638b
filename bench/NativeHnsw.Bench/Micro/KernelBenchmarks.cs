using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NativeHnsw.Distance;

namespace NativeHnsw.Bench.Micro;

/// <summary>
/// Our kernels against TensorPrimitives (the baseline) and a plain scalar loop, at the widths
/// embeddings come in, plus a ragged width that exercises the masked tail; and the four-at-a-time
/// kernels the graph search uses against four pairwise calls.
/// </summary>
[MemoryDiagnoser]
public unsafe class KernelBenchmarks
{
    private float[] _x = [];
    private float[] _y = [];
    // Pinned, so the four-way kernels can take their addresses once.
    private float[][] _rows = [];
    private readonly float[] _results = GC.AllocateArray<float>(4, pinned: true);

    [Params(128, 384, 768, 1536, 1000)]
    public int Dimensions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _x = new float[Dimensions];
        _y = new float[Dimensions];
        for (int i = 0; i < Dimensions; i++)
        {
            _x[i] = (float)random.NextDouble();
            _y[i] = (float)random.NextDouble();
        }
        _rows = new float[4][];
        for (int j = 0; j < 4; j++)
        {
            _rows[j] = GC.AllocateArray<float>(Dimensions, pinned: true);
            for (int i = 0; i < Dimensions; i++)
                _rows[j][i] = (float)random.NextDouble();
        }
        // A kernel that disagrees with the baseline must not be timed at all.
        float ours = VectorKernels.Dot(_x, _y), baseline = TensorPrimitives.Dot(_x, _y);
        if (Math.Abs(ours - baseline) > 1e-3f * Math.Abs(baseline))
            throw new InvalidOperationException($"Dot disagrees: {ours} vs {baseline}");
        Dot4Ours();
        for (int j = 0; j < 4; j++)
        {
            float expected = TensorPrimitives.Dot(_y, _rows[j]);
            if (Math.Abs(_results[j] - expected) > 1e-3f * Math.Abs(expected))
                throw new InvalidOperationException($"Dot4 row {j} disagrees: {_results[j]} vs {expected}");
        }
    }

    [Benchmark(Baseline = true)]
    public float DotTensorPrimitives() => TensorPrimitives.Dot(_x, _y);

    [Benchmark]
    public float DotOurs() => VectorKernels.Dot(_x, _y);

    [Benchmark]
    public float DotScalar()
    {
        float sum = 0;
        for (int i = 0; i < _x.Length; i++)
            sum += _x[i] * _y[i];
        return sum;
    }

    [Benchmark]
    public float SquaredL2TensorPrimitives()
    {
        float d = TensorPrimitives.Distance(_x, _y);
        return d * d;
    }

    [Benchmark]
    public float SquaredL2Ours() => VectorKernels.SquaredL2(_x, _y);

    [Benchmark]
    public float SquaredL2Scalar()
    {
        float sum = 0;
        for (int i = 0; i < _x.Length; i++)
        {
            float d = _x[i] - _y[i];
            sum += d * d;
        }
        return sum;
    }

    /// <summary>One query (y) against four rows in one pass, as the graph search scores a node's neighbours.</summary>
    [Benchmark]
    public float Dot4Ours()
    {
        fixed (float* q = _y)
            VectorKernels.Dot4Unchecked(q, Row(0), Row(1), Row(2), Row(3), (nuint)Dimensions, Result());
        return _results[0];
    }

    [Benchmark]
    public float Dot4AsFourCalls()
    {
        for (int j = 0; j < 4; j++)
            _results[j] = VectorKernels.Dot(_y, _rows[j]);
        return _results[0];
    }

    [Benchmark]
    public float SquaredL24Ours()
    {
        fixed (float* q = _y)
            VectorKernels.SquaredL24Unchecked(q, Row(0), Row(1), Row(2), Row(3), (nuint)Dimensions, Result());
        return _results[0];
    }

    private float* Row(int j) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_rows[j]));

    private float* Result() => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_results));
}
