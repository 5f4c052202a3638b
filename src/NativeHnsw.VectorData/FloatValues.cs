using System.Globalization;

namespace NativeHnsw.VectorData;

/// <summary>
/// The store keeps floating-point metadata as doubles. A float goes there through its shortest round-trip text (0.1f
/// becomes 0.1, not 0.10000000149011612), on write and in filters alike, so an equality filter on a float property
/// matches the value that was written, and the value reads back as the same float.
/// </summary>
internal static class FloatValues
{
    public static double ToStored(float value) => double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
