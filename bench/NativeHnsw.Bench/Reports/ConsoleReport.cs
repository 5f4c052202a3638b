using Spectre.Console;

namespace NativeHnsw.Bench.Reports;

/// <summary>Renders <see cref="TableData"/> as Spectre tables.</summary>
public static class ConsoleReport
{
    public static void Write(IAnsiConsole console, TableData data)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(data);
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(data.Title)}[/]");
        foreach (string header in data.Headers)
            table.AddColumn(new TableColumn(Markup.Escape(header)));
        foreach (var row in data.Rows)
            table.AddRow(row.Select(cell => Colour(Markup.Escape(cell))).ToArray());
        console.Write(table);
    }

    private static string Colour(string cell) => cell switch
    {
        "pass" => "[green]pass[/]",
        "miss" => "[red]miss[/]",
        "unavailable" => "[yellow]unavailable[/]",
        _ => cell,
    };
}
