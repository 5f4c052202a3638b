using System.Runtime.InteropServices;

namespace NativeHnsw.Interop.Native;

/// <summary>A SafeHandle over a native object pointer; use the object through <see cref="Acquire"/>.</summary>
/// <remarks>
/// SafeHandle alone marks a handle closed only when its last reference goes, so while searches overlap without pause a
/// disposed handle would keep accepting new ones. The flag below refuses new leases from the moment Dispose is called;
/// leases already taken finish, and the native object is freed after the last of them.
/// </remarks>
internal abstract class NativeObjectHandle : SafeHandle
{
    private volatile bool _disposeRequested;

    protected NativeObjectHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Name used in <see cref="ObjectDisposedException"/> when the handle is used after disposal.</summary>
    protected abstract string ObjectName { get; }

    /// <summary>Takes a reference for the duration of a native operation; throws if the handle is disposed.</summary>
    public SafeHandleLease Acquire()
    {
        if (_disposeRequested)
            throw new ObjectDisposedException(ObjectName);
        return new(this, ObjectName);
    }

    protected override void Dispose(bool disposing)
    {
        _disposeRequested = true;
        base.Dispose(disposing);
    }

    /// <summary>Takes ownership of a pointer the native side just returned.</summary>
    protected void Own(nint pointer)
    {
        if (pointer == 0)
            throw new InvalidOperationException($"{ObjectName}: the native library reported success but returned a null pointer.");
        SetHandle(pointer);
    }
}
