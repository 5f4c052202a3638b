namespace NativeHnsw.Bench.Reports;

/// <summary>A titled table of formatted cells: built once, rendered to the console and to Markdown alike.</summary>
public sealed record TableData(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows);
