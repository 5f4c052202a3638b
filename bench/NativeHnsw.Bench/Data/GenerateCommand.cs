using System.CommandLine;
using System.Globalization;
using NativeHnsw.Bench.Cli;
using NativeHnsw.Data;

namespace NativeHnsw.Bench.Data;

/// <summary>
/// The <c>generate</c> command: a dataset in TEXMEX's layout (<c>&lt;name&gt;_base.fvecs</c>, <c>_query.fvecs</c>,
/// <c>_groundtruth.ivecs</c> with the exact k nearest by L2), so a run at any size can go through <c>--dataset</c>
/// file loading the way a downloaded SIFT or GIST set would, and other tools can read the same files.
/// </summary>
public static class GenerateCommand
{
    public const string SiftStyle = "sift";
    public const int DefaultClusters = 64;
    public const int DefaultLatentDimensions = 32;

    public static Command Create(ConsoleUi ui, Action<int> setExitCode)
    {
        ArgumentNullException.ThrowIfNull(ui);
        ArgumentNullException.ThrowIfNull(setExitCode);
        var kind = new Option<string>("--kind")
        {
            Description = "sift: a gaussian mixture shifted, scaled and rounded to whole numbers 0..255 as SIFT descriptors are; clustered: the mixture as is; gaussian: independent normals",
            DefaultValueFactory = _ => SiftStyle,
        };
        var count = new Option<int>("--count") { Description = "base vectors", DefaultValueFactory = _ => 1_000_000 };
        var queries = new Option<int>("--queries") { Description = "query vectors", DefaultValueFactory = _ => 1_000 };
        var dims = new Option<int>("--dims") { Description = "dimensions", DefaultValueFactory = _ => 128 };
        var k = new Option<int>("--k") { Description = "exact neighbours per query in the ground-truth file (L2)", DefaultValueFactory = _ => 100 };
        var clusters = new Option<int>("--clusters") { Description = "centres of the mixture (sift, clustered)", DefaultValueFactory = _ => DefaultClusters };
        var latent = new Option<int?>("--latent-dims") { Description = $"intrinsic dimension of the mixture's offsets (sift, clustered; default {DefaultLatentDimensions}, or --dims when fewer): lower is easier for a graph" };
        var seed = new Option<int>("--seed") { Description = "data seed (queries use another seed of the same mixture)", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output") { Description = "folder the three files are written to", Required = true };
        var command = new Command("generate", "Write a TEXMEX-layout dataset (<kind>_base.fvecs, <kind>_query.fvecs, <kind>_groundtruth.ivecs by L2) for --dataset <file> --query-file <file> --metric l2.")
        {
            kind, count, queries, dims, k, clusters, latent, seed, output,
        };
        command.SetAction(parsed =>
        {
            string name = parsed.GetValue(kind)!.ToLowerInvariant();
            if (name is not (SiftStyle or DatasetLoader.Clustered or "gaussian"))
                throw new BenchInputException($"--kind '{parsed.GetValue(kind)}': use sift, clustered or gaussian.");
            int n = parsed.GetValue(count), q = parsed.GetValue(queries), d = parsed.GetValue(dims), neighbours = parsed.GetValue(k);
            if (d is < 1 or > HnswOptions.MaxDimensions)
                throw new BenchInputException($"--dims {d} is out of range (1 to {HnswOptions.MaxDimensions}).");
            if (n < 1 || q < 1 || (long)n * d > Array.MaxLength)
                throw new BenchInputException($"--count {n} and --queries {q} must be at least 1, and count × dims must fit one array.");
            if (neighbours < 1 || neighbours > n)
                throw new BenchInputException($"--k {neighbours} must be between 1 and --count ({n}).");
            int c = parsed.GetValue(clusters), l = parsed.GetValue(latent) ?? Math.Min(DefaultLatentDimensions, d);
            if (c < 1 || l < 1 || l > d)
                throw new BenchInputException($"--clusters {c} must be at least 1 and --latent-dims {l} between 1 and --dims ({d}).");
            Write(new Shape(name, d, c, l), n, q, neighbours, parsed.GetValue(seed), parsed.GetValue(output)!, ui);
            setExitCode(0);
        });
        return command;
    }

    /// <summary>Generates the sets, computes the exact neighbours and writes the three files (each through a temp file, then renamed).</summary>
    public static IReadOnlyList<string> Write(Shape shape, int count, int queries, int k, int seed, string folder, ConsoleUi ui)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(ui);
        Directory.CreateDirectory(folder);
        string kind = shape.Kind;
        var baseSet = ui.Step(F($"generate {count:N0} × {shape.Dimensions} ({kind})"), () => new VectorSet(Generate(shape, count, seed), shape.Dimensions));
        var querySet = new VectorSet(Generate(shape, queries, seed + 1_000_003), shape.Dimensions);
        var truth = ui.Step(F($"exact {k} nearest by L2 of {queries:N0} queries"), queries, "queries",
            report => ExactKnn.Search(baseSet, querySet, k, DistanceMetric.L2, queriesDone: done => report(done)));
        string[] paths = [Path.Combine(folder, kind + "_base.fvecs"), Path.Combine(folder, kind + "_query.fvecs"), Path.Combine(folder, kind + "_groundtruth.ivecs")];
        Replace(paths[0], temp => VectorFiles.WriteFvecs(temp, baseSet));
        Replace(paths[1], temp => VectorFiles.WriteFvecs(temp, querySet));
        Replace(paths[2], temp => VectorFiles.WriteIvecs(temp, truth));
        ui.Line("[bold]wrote[/]");
        foreach (string path in paths)
            ui.Line("  " + Spectre.Console.Markup.Escape(Path.GetFullPath(path)));
        return paths;
    }

    /// <summary>
    /// Row-major floats of the kind. SIFT-style: the gaussian mixture's components (about N(0, 2)) shifted by two
    /// standard deviations of a centre, scaled by 20, rounded and clipped to 0..255, so values are small whole numbers
    /// with a pile at zero, as in TEXMEX's SIFT descriptors, and the set keeps the mixture's low intrinsic dimension.
    /// </summary>
    public static float[] Generate(Shape shape, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(shape);
        switch (shape.Kind)
        {
            case "gaussian":
                return SyntheticVectors.Gaussian(count, shape.Dimensions, seed);
            case DatasetLoader.Clustered:
                return SyntheticVectors.Clustered(count, shape.Dimensions, seed, shape.Clusters, shape.LatentDimensions);
            case SiftStyle:
                float[] data = SyntheticVectors.Clustered(count, shape.Dimensions, seed, shape.Clusters, shape.LatentDimensions);
                for (int i = 0; i < data.Length; i++)
                    data[i] = Math.Clamp(MathF.Round((data[i] + 2f) * 20f), 0f, 255f);
                return data;
            default:
                throw new BenchInputException($"--kind '{shape.Kind}': use sift, clustered or gaussian.");
        }
    }

    /// <summary>What is generated: the kind, the dimensions, and for the mixtures their centres and intrinsic dimension.</summary>
    public sealed record Shape(string Kind, int Dimensions, int Clusters = DefaultClusters, int LatentDimensions = DefaultLatentDimensions);

    private static void Replace(string path, Action<string> write)
    {
        string temp = path + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        write(temp);
        File.Move(temp, path, overwrite: true);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
