namespace NativeHnsw.Samples.Rag;

/// <summary>A piece of a file small enough to embed well: its text, the Markdown heading it sits under, and where it starts.</summary>
public sealed record TextChunk(string Text, string? Heading, int Start);
