using System.Runtime.InteropServices;

namespace NativeHnsw.Interop.Native;

/// <summary>
/// Holds one reference on a <see cref="SafeHandle"/> for the span of a native operation: a concurrent
/// <see cref="SafeHandle.Dispose()"/> marks the handle closed but the native object is freed only when the last lease
/// ends, so a search in flight never runs on freed memory.
/// </summary>
internal ref struct SafeHandleLease
{
    private readonly SafeHandle _handle;
    private bool _added;

    public SafeHandleLease(SafeHandle handle, string objectName)
    {
        _handle = handle;
        try
        {
            handle.DangerousAddRef(ref _added);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(objectName);
        }
        Pointer = handle.DangerousGetHandle();
    }

    /// <summary>The native pointer, valid until <see cref="Dispose"/>.</summary>
    public nint Pointer { get; }

    public void Dispose()
    {
        if (_added)
        {
            _added = false;
            _handle.DangerousRelease();
        }
    }
}
