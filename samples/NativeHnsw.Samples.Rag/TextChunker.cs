using System.Text;

namespace NativeHnsw.Samples.Rag;

/// <summary>
/// Splits a document into chunks of at most <see cref="MaxChars"/> characters along paragraph lines: paragraphs are
/// packed together until the next would not fit, a Markdown heading always starts a new chunk (a chunk then stays
/// within one section), and a paragraph longer than the limit is cut at word boundaries with
/// <see cref="OverlapChars"/> characters repeated, so a sentence cut in two is whole in one of the pieces.
/// </summary>
/// <remarks>
/// all-MiniLM-L6-v2 was trained on up to 256 word pieces; 800 characters of English prose are about 180 of them, which
/// leaves room for the heading and longer words.
/// </remarks>
public static class TextChunker
{
    public const int MaxChars = 800;

    public const int OverlapChars = 120;

    public static IReadOnlyList<TextChunk> Chunk(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var chunks = new List<TextChunk>();
        var current = new StringBuilder();
        int currentStart = 0;
        string? heading = null;

        void Flush()
        {
            string body = current.ToString().Trim();
            if (body.Length > 0)
                chunks.Add(new TextChunk(body, heading, currentStart));
            current.Clear();
        }

        foreach (var (paragraph, start) in Paragraphs(text))
        {
            if (paragraph.StartsWith('#'))
            {
                Flush();
                heading = paragraph.TrimStart('#').Trim();
                currentStart = start;
                current.Append(paragraph);
                continue;
            }
            if (current.Length > 0 && current.Length + 2 + paragraph.Length > MaxChars)
                Flush();
            if (current.Length == 0)
                currentStart = start;
            if (paragraph.Length <= MaxChars - current.Length - (current.Length > 0 ? 2 : 0))
            {
                if (current.Length > 0)
                    current.Append("\n\n");
                current.Append(paragraph);
                continue;
            }
            // Too long even alone (or after its heading): cut it, the heading line staying with the first piece when
            // there is room for a useful one beside it.
            if (MaxChars - current.Length - 2 < OverlapChars * 2)
                Flush();
            foreach (var (piece, offset) in Split(paragraph, MaxChars - current.Length - (current.Length > 0 ? 2 : 0)))
            {
                if (current.Length > 0)
                    current.Append("\n\n");
                else
                    currentStart = start + offset;
                current.Append(piece);
                Flush();
            }
        }
        Flush();
        return chunks;
    }

    /// <summary>Runs of non-blank lines; a heading line is a paragraph of its own.</summary>
    private static IEnumerable<(string Text, int Start)> Paragraphs(string text)
    {
        int position = 0;
        var lines = new List<string>();
        int start = 0;
        foreach (string line in text.Split('\n'))
        {
            bool blank = string.IsNullOrWhiteSpace(line);
            bool isHeading = line.StartsWith('#');
            if ((blank || isHeading) && lines.Count > 0)
            {
                yield return (string.Join('\n', lines).Trim(), start);
                lines.Clear();
            }
            if (isHeading)
                yield return (line.Trim(), position);
            else if (!blank)
            {
                if (lines.Count == 0)
                    start = position;
                lines.Add(line);
            }
            position += line.Length + 1;
        }
        if (lines.Count > 0)
            yield return (string.Join('\n', lines).Trim(), start);
    }

    /// <summary>Cuts a long paragraph at spaces; the first piece fits in <paramref name="firstRoom"/>, later ones in <see cref="MaxChars"/>.</summary>
    private static IEnumerable<(string Piece, int Offset)> Split(string paragraph, int firstRoom)
    {
        int at = 0;
        int room = firstRoom;
        while (at < paragraph.Length)
        {
            int end = Math.Min(paragraph.Length, at + room);
            if (end < paragraph.Length)
            {
                int space = paragraph.LastIndexOf(' ', end - 1, end - at);
                if (space > at + OverlapChars)
                    end = space;
            }
            yield return (paragraph[at..end].Trim(), at);
            if (end >= paragraph.Length)
                yield break;
            // Step back by the overlap, to the start of a word.
            int next = Math.Max(at + 1, end - OverlapChars);
            int wordStart = paragraph.IndexOf(' ', next, end - next);
            at = wordStart >= 0 ? wordStart + 1 : end;
            room = MaxChars;
        }
    }
}
