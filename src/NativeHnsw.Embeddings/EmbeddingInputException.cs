namespace NativeHnsw.Embeddings;

/// <summary>A text handed to an embedder cannot be embedded (null, empty or only white space); nothing was embedded.</summary>
public sealed class EmbeddingInputException : ArgumentException
{
    public EmbeddingInputException(int index, string problem)
        : base($"text {index}: {problem}; nothing was embedded.", "values") => Index = index;

    /// <summary>The position of the first bad text in the input.</summary>
    public int Index { get; }
}
