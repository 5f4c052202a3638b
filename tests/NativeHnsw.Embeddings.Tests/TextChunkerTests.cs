using NativeHnsw.Samples.Rag;

namespace NativeHnsw.Embeddings.Tests;

public sealed class TextChunkerTests
{
    private static string Words(int seed, int count)
    {
        var random = new Random(seed);
        return string.Join(' ', Enumerable.Range(0, count).Select(i => $"w{i}x{random.Next(1000)}"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Chunk_EveryWordKept_NoChunkOverTheLimit(int seed)
    {
        var random = new Random(seed);
        var parts = new List<string>();
        for (int i = 0; i < 30; i++)
        {
            if (random.Next(5) == 0)
                parts.Add($"## Section {i}");
            // Paragraph lengths from a few words to several times the limit.
            parts.Add(Words(seed * 100 + i, random.Next(1, 400)));
        }
        string text = string.Join("\n\n", parts);
        var chunks = TextChunker.Chunk(text);
        Assert.All(chunks, c => Assert.InRange(c.Text.Length, 1, TextChunker.MaxChars));
        var kept = chunks.SelectMany(c => c.Text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        Assert.All(text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries), w => Assert.Contains(w, kept));
        Assert.All(chunks, c => Assert.True(c.Start >= 0 && c.Start < text.Length));
    }

    [Fact]
    public void Chunk_HeadingsStartChunksAndAreRecorded()
    {
        var chunks = TextChunker.Chunk("intro line\n\n# First\n\nbody one\n\n## Second\nbody two\nmore");
        Assert.Equal(["intro line", "# First\n\nbody one", "## Second\n\nbody two\nmore"], chunks.Select(c => c.Text));
        Assert.Equal([null, "First", "Second"], chunks.Select(c => c.Heading));
    }

    [Fact]
    public void Chunk_LongParagraph_PiecesOverlap()
    {
        string paragraph = Words(7, 600);
        var chunks = TextChunker.Chunk(paragraph);
        Assert.True(chunks.Count >= 3);
        for (int i = 1; i < chunks.Count; i++)
        {
            string firstWordOfNext = chunks[i].Text.Split(' ')[0];
            Assert.Contains(firstWordOfNext, chunks[i - 1].Text.Split(' '));
        }
    }

    [Fact]
    public void Chunk_Empty_GivesNothing() => Assert.Empty(TextChunker.Chunk("\n\n  \n"));
}
