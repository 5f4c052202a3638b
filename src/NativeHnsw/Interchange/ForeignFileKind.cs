namespace NativeHnsw.Interchange;

/// <summary>What a foreign index file is: its library ("hnswlib" or "faiss"), a one-line description, and whether <c>nhnsw import</c> reads it.</summary>
public sealed record ForeignFileKind(string Library, string Description, bool Importable);
