namespace NativeHnsw;

/// <summary>Thrown when an operation names a label that the index does not hold.</summary>
public sealed class LabelNotFoundException : ArgumentException
{
    public LabelNotFoundException(long label, string? paramName)
        : base($"No vector with label {label} is in the index.", paramName) => Label = label;

    /// <summary>The label that was asked for.</summary>
    public long Label { get; }
}
