using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using NativeHnsw.Distance;

namespace NativeHnsw.Bench.Micro;

/// <summary>
/// Our kernels against TensorPrimitives (the baseline) and a plain scalar loop, at the widths
/// embeddings come in, plus a ragged width that exercises the masked tail.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private float[] _x = [];
    private float[] _y = [];

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
        // A kernel that disagrees with the baseline must not be timed at all.
        float ours = VectorKernels.Dot(_x, _y), baseline = TensorPrimitives.Dot(_x, _y);
        if (Math.Abs(ours - baseline) > 1e-3f * Math.Abs(baseline))
            throw new InvalidOperationException($"Dot disagrees: {ours} vs {baseline}");
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
}
