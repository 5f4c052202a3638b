using Spectre.Console;
using Spectre.Console.Rendering;

namespace NativeHnsw.Cli;

/// <summary>A progress column with the real counts, <c>120,000 / 300,000 vectors</c> or <c>12.0 MiB / 80.0 MiB</c>.</summary>
internal sealed class CountColumn : ProgressColumn
{
    /// <summary>What is counted; set by each progress report, since one step may count bytes, then incrementals.</summary>
    public string Unit { get; set; } = CliUi.BytesUnit;

    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Markup(Markup.Escape(Unit == CliUi.BytesUnit
            ? $"{NhnswCli.Bytes((long)task.Value)} / {NhnswCli.Bytes((long)task.MaxValue)}"
            : $"{CliUi.Count((long)task.Value)} / {CliUi.Count((long)task.MaxValue)} {Unit}"));
}
