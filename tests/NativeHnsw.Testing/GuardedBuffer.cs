using System.Runtime.InteropServices;

namespace NativeHnsw.Testing;

/// <summary>
/// Floats that end exactly at a no-access page, so a kernel that reads one element past the end
/// faults at once instead of silently reading a neighbour's memory. Linux and macOS only
/// (mmap/mprotect); elsewhere it falls back to ordinary memory and <see cref="IsGuarded"/> is false.
/// </summary>
public sealed unsafe partial class GuardedBuffer : IDisposable
{
    private const int ProtNone = 0;
    private const int ProtReadWrite = 3;
    private const int MapPrivateAnonymous = 0x02 | 0x20;

    private readonly byte* _mapping;
    private readonly nuint _mappingBytes;
    private readonly float* _data;
    private readonly float[]? _fallback;

    public GuardedBuffer(int length)
    {
        Length = length;
        if (!OperatingSystem.IsLinux())
        {
            _fallback = new float[length];
            return;
        }
        nuint page = (nuint)Environment.SystemPageSize;
        nuint dataBytes = (nuint)length * sizeof(float);
        nuint dataPages = (dataBytes + page - 1) / page;
        _mappingBytes = (dataPages + 1) * page;
        _mapping = (byte*)Mmap(null, _mappingBytes, ProtReadWrite, MapPrivateAnonymous, -1, 0);
        if (_mapping == (byte*)-1)
            throw new InvalidOperationException($"mmap failed: errno {Marshal.GetLastPInvokeError()}");
        if (Mprotect(_mapping + dataPages * page, page, ProtNone) != 0)
            throw new InvalidOperationException($"mprotect failed: errno {Marshal.GetLastPInvokeError()}");
        _data = (float*)(_mapping + dataPages * page - dataBytes);
        IsGuarded = true;
    }

    public int Length { get; }

    public bool IsGuarded { get; }

    public Span<float> Span => _fallback ?? new Span<float>(_data, Length);

    public void Dispose()
    {
        if (_mapping != null)
            _ = Munmap(_mapping, _mappingBytes);
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Mprotect(void* address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(void* address, nuint length);
}
