using System.Globalization;
using System.Text;

namespace NativeHnsw.Embeddings;

/// <summary>
/// The clean-up the reference (Hugging Face) tokenizer of all-MiniLM-L6-v2 does before word pieces and the bundled
/// BERT tokenizer does not: accents stripped (precomposed letters folded by <see cref="AccentFolding"/>, combining marks
/// dropped), control characters removed, and every
/// CJK ideograph made a word of its own. Without it "café" becomes "caf [UNK]" and a run of Chinese characters one
/// unknown word, and the vectors drift from the ones Python's sentence-transformers gives for the same text.
/// </summary>
internal static class BertTextNormalizer
{
    public static string Normalize(string text)
    {
        if (IsPlainAscii(text))
            return text;
        var builder = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsBmp && AccentFolding.Fold((char)rune.Value) is var folded && folded != rune.Value)
            {
                builder.Append(folded);
                continue;
            }
            var category = Rune.GetUnicodeCategory(rune);
            if (category == UnicodeCategory.NonSpacingMark)
                continue;
            if (category is UnicodeCategory.Control or UnicodeCategory.Format && !Rune.IsWhiteSpace(rune))
                continue;
            if (IsCjk(rune.Value))
                builder.Append(' ').Append(rune.ToString()).Append(' ');
            else
                builder.Append(rune.ToString());
        }
        return builder.ToString();
    }

    private static bool IsPlainAscii(string text)
    {
        foreach (char c in text)
        {
            if (c > 0x7E || (c < 0x20 && c is not ('\t' or '\n' or '\r')))
                return false;
        }
        return true;
    }

    // The ranges BERT's basic tokenizer treats as Chinese characters (CJK unified ideographs and their extensions,
    // compatibility ideographs); Hiragana, Katakana and Hangul are left as they are, as there.
    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
