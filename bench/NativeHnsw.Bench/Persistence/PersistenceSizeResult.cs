using NativeHnsw.Bench.Measurements;

namespace NativeHnsw.Bench.Persistence;

/// <summary>Persistence figures for one index size, next to the disk limits measured with a file of the same size.</summary>
public sealed record PersistenceSizeResult(
    int Size, int Dimensions, int EfConstruction, double BuildSeconds, long FileBytes, double FileBytesPerVector, double MemoryBytesPerVector,
    Summary SaveMs, Summary LoadMs, Summary OpenMs, Summary VerifyMs,
    double FirstQueryAfterLoadUs, double FirstQueryAfterOpenUs, double? FirstQueryColdUs, MachineLimits Limits);
