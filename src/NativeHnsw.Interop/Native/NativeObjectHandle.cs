using System.Runtime.InteropServices;

namespace NativeHnsw.Interop.Native;

/// <summary>A SafeHandle over a native object pointer; use the object through <see cref="Acquire"/>.</summary>
internal abstract class NativeObjectHandle : SafeHandle
{
    protected NativeObjectHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Name used in <see cref="ObjectDisposedException"/> when the handle is used after disposal.</summary>
    protected abstract string ObjectName { get; }

    /// <summary>Takes a reference for the duration of a native operation; throws if the handle is disposed.</summary>
    public SafeHandleLease Acquire() => new(this, ObjectName);

    /// <summary>Takes ownership of a pointer the native side just returned.</summary>
    protected void Own(nint pointer)
    {
        if (pointer == 0)
            throw new InvalidOperationException($"{ObjectName}: the native library reported success but returned a null pointer.");
        SetHandle(pointer);
    }
}
