namespace NativeHnsw.Distance;

/// <summary>What <see cref="VectorValidation.FindProblem"/> found wrong with a vector, if anything.</summary>
public enum VectorProblem
{
    /// <summary>The vector can be indexed and searched.</summary>
    None = 0,

    /// <summary>Its length is not the index's dimension count.</summary>
    WrongDimensions = 1,

    /// <summary>A component is NaN or infinite.</summary>
    NotFinite = 2,

    /// <summary>Every component is zero, and the metric is cosine, under which it has no direction.</summary>
    ZeroUnderCosine = 3,
}
