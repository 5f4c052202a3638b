using System.Text;

namespace NativeHnsw.Bench.Reports;

/// <summary>Writes a report as Markdown: a header of what was run on what, then the tables, then the notes.</summary>
public static class MarkdownReport
{
    public static string Render(string title, IReadOnlyList<string> header, IReadOnlyList<TableData> tables, IReadOnlyList<string> notes, string? plotFile = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(notes);
        var text = new StringBuilder();
        text.Append("# ").AppendLine(title).AppendLine();
        foreach (string line in header)
            text.Append("- ").AppendLine(Escape(line));
        text.AppendLine();
        if (plotFile is not null)
            text.Append("![plot](").Append(plotFile).AppendLine(")").AppendLine();
        foreach (var table in tables)
        {
            text.Append("## ").AppendLine(table.Title).AppendLine();
            text.Append("| ").AppendJoin(" | ", table.Headers.Select(Escape)).AppendLine(" |");
            text.Append('|').AppendJoin("", table.Headers.Select(_ => "---|")).AppendLine();
            foreach (var row in table.Rows)
                text.Append("| ").AppendJoin(" | ", row.Select(Escape)).AppendLine(" |");
            text.AppendLine();
        }
        if (notes.Count > 0)
        {
            text.AppendLine("## Notes").AppendLine();
            foreach (string note in notes)
                text.Append("- ").AppendLine(Escape(note));
        }
        return text.ToString();
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
