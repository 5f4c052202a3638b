using System.Globalization;

namespace NativeHnsw.Cli;

/// <summary>
/// The labels a <c>--labels</c> value names: an inclusive range <c>FIRST..LAST</c>, or a text file of one integer
/// (a signed 64-bit label) a line, blank lines skipped. Each label remembers where it came from, so an error names
/// the file and line.
/// </summary>
internal sealed class LabelList
{
    private readonly int[]? _lines;

    private LabelList(string source, long[] labels, int[]? lines)
    {
        Source = source;
        Labels = labels;
        _lines = lines;
    }

    /// <summary>The <c>--labels</c> value as given: a range or a file path.</summary>
    public string Source { get; }

    public long[] Labels { get; }

    /// <summary>Where label <paramref name="i"/> came from: <c>'ids.txt' line 7</c>, or <c>range 10..19 item 3</c>.</summary>
    public string Where(int i) => _lines is null
        ? string.Create(CultureInfo.InvariantCulture, $"range {Source} item {i + 1}")
        : string.Create(CultureInfo.InvariantCulture, $"'{Source}' line {_lines[i]}");

    /// <summary>Reads <paramref name="value"/>; a label twice in it is an error naming both places.</summary>
    /// <exception cref="CliUsageException">Not a range and not a readable file, a line that is not an integer, a label twice, or an empty list.</exception>
    public static LabelList Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var list = !File.Exists(value) && TryRange(value, out long first, out long last) ? FromRange(value, first, last) : FromFile(value);
        var seen = new Dictionary<long, int>(list.Labels.Length);
        for (int i = 0; i < list.Labels.Length; i++)
        {
            if (!seen.TryAdd(list.Labels[i], i))
                throw new CliUsageException($"{list.Where(i)}: label {list.Labels[i]} appears twice (first at {list.Where(seen[list.Labels[i]])}).");
        }
        return list;
    }

    /// <summary>Checks the list labels <paramref name="count"/> vectors read from <paramref name="vectorFile"/>.</summary>
    public void CheckCount(int count, string vectorFile)
    {
        if (Labels.Length != count)
            throw new CliUsageException(_lines is null
                ? $"--labels {Source} names {Labels.Length:N0} labels; '{vectorFile}' holds {count:N0} vectors."
                : $"'{Source}' holds {Labels.Length:N0} labels (last at line {_lines[^1]}); '{vectorFile}' holds {count:N0} vectors.");
    }

    private static bool TryRange(string value, out long first, out long last)
    {
        first = last = 0;
        int dots = value.IndexOf("..", StringComparison.Ordinal);
        return dots > 0
            && long.TryParse(value.AsSpan(0, dots), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out first)
            && long.TryParse(value.AsSpan(dots + 2), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out last);
    }

    private static LabelList FromRange(string value, long first, long last)
    {
        if (last < first)
            throw new CliUsageException($"--labels {value}: the range ends before it starts.");
        // Checked: a range wider than an index can hold is refused before anything is allocated.
        ulong width = unchecked((ulong)(last - first)) + 1;
        if (width > HnswIndex.MaxNodes)
            throw new CliUsageException($"--labels {value}: {width:N0} labels is more than an index holds ({HnswIndex.MaxNodes:N0}).");
        var labels = new long[(int)width];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = first + i;
        return new LabelList(value, labels, lines: null);
    }

    private static LabelList FromFile(string path)
    {
        if (Directory.Exists(path))
            throw new CliUsageException($"--labels '{path}' is a folder; give a text file of one label a line, or a range like 1000..1999.");
        if (!File.Exists(path))
            throw new CliUsageException($"--labels '{path}' is neither a file nor a range like 1000..1999.");
        var labels = new List<long>();
        var lines = new List<int>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            string text = line.Trim();
            if (text.Length == 0)
                continue;
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long label))
                throw new CliUsageException($"'{path}' line {lineNumber}: '{Shorten(text)}' is not an integer label.");
            labels.Add(label);
            lines.Add(lineNumber);
        }
        if (labels.Count == 0)
            throw new CliUsageException($"'{path}' holds no labels.");
        return new LabelList(path, [.. labels], [.. lines]);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
