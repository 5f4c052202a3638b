using NativeHnsw.Embeddings;

namespace NativeHnsw.Embeddings.Tests;

public sealed class BertTextNormalizerTests
{
    [Theory]
    [InlineData("plain ascii, untouched.", "plain ascii, untouched.")]
    [InlineData("Ça m'évite l'hôtel", "Ca m'evite l'hotel")]
    [InlineData("Ελληνικά άέή", "Ελληνικα αεη")]
    [InlineData("e\u0301te\u0301", "ete")]
    [InlineData("我喜欢猫", " 我  喜  欢  猫 ")]
    [InlineData("a\u200Bb\u0007c", "abc")]
    public void Normalize_FoldsAccentsSplitsIdeographsDropsControls(string input, string expected) =>
        Assert.Equal(expected, BertTextNormalizer.Normalize(input));
}
