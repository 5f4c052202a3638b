using System.Diagnostics;
using System.Globalization;
using NativeHnsw.Backup;
using NativeHnsw.Bench.Cli;
using NativeHnsw.Bench.Measurements;
using NativeHnsw.Bench.Reports;
using NativeHnsw.Data;
using NativeHnsw.Storage;

namespace NativeHnsw.Bench.Backup;

/// <summary>
/// What daily backups cost (issue 13's figure): an index that grows by a per cent of new vectors a day, backed up each
/// day whole and as chunks into two local targets; and a store in which a per cent of the records change a day, backed
/// up each day whole, as chunks, and as a chained incremental. Bytes are what each backup added to its target (after
/// dedup and compression), so they are exact on any machine; the times are the machine's. Then the day-1 bytes by
/// section (what changed, how it compresses), and restore times of the last backups.
/// </summary>
public static class BackupMode
{
    private static readonly StoreOptions s_manual = new()
    {
        Checkpoints = new CheckpointPolicy { EveryChanges = 0, Interval = null, OnDispose = false, AfterReplayOf = 0 },
        Log = _ => { },
    };

    public static BackupReport Run(BackupSettings settings, ConsoleUi ui, string workDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(ui);
        var s = settings;
        var days = new List<BackupDay>();
        var notes = new List<string>();
        var sizes = new List<int> { s.Count };
        for (int d = 1; d <= s.Days; d++)
            sizes.Add(sizes[^1] + Math.Max(1, (int)Math.Round(sizes[^1] * s.GrowthPercent / 100)));
        float[] data = ui.Step(F($"generate {sizes[^1]:N0} × {s.Dimensions} clustered"), () => SyntheticVectors.Clustered(sizes[^1], s.Dimensions, s.Seed));
        string path = Path.Combine(workDirectory, "index.nhnsw");
        string dayZero = Path.Combine(workDirectory, "day0.nhnsw");
        string dayOne = Path.Combine(workDirectory, "day1.nhnsw");
        var whole = new LocalFolderTarget(Path.Combine(workDirectory, "whole"));
        var chunked = new LocalFolderTarget(Path.Combine(workDirectory, "chunked"));
        var start = new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.Zero);
        var temp = Path.Combine(workDirectory, "tmp");
        Directory.CreateDirectory(whole.Root);
        Directory.CreateDirectory(chunked.Root);
        using (var index = new HnswIndex(new HnswOptions { Dimensions = s.Dimensions, Metric = DistanceMetric.Cosine, M = 16, EfConstruction = 100, Seed = (ulong)s.Seed }))
        {
            ui.Step(F($"build {s.Count:N0} × {s.Dimensions} (M=16, ef_construction=100)"), () => index.AddRange(SyntheticVectors.RowLabels(s.Count), data.AsMemory(0, s.Count * s.Dimensions)));
            for (int d = 0; d <= s.Days; d++)
            {
                if (d > 0)
                {
                    int from = sizes[d - 1], to = sizes[d];
                    index.AddRange(Enumerable.Range(from, to - from).Select(i => (long)i).ToArray(), data.AsMemory(from * s.Dimensions, (to - from) * s.Dimensions), maxDegreeOfParallelism: 1);
                }
                index.Save(path);
                if (d <= 1)
                    File.Copy(path, d == 0 ? dayZero : dayOne);
                var options = new BackupOptions { CreatedUtc = start.AddDays(d), TempDirectory = temp };
                var (w, wt) = Time(() => IndexBackup.BackupFile(path, whole, options));
                var (c, ct) = Time(() => IndexBackup.BackupFile(path, chunked, options with { Chunked = true }));
                days.Add(new BackupDay("index", d, index.Count, new FileInfo(path).Length, Stored(whole, w), wt, Stored(chunked, c), ct, null, null));
                ui.Line(F($"index day {d}: {index.Count:N0} vectors, {new FileInfo(path).Length:N0} bytes; chunked backup stored {c.StoredBytes:N0}"));
            }
        }
        var sections = Sections(dayZero, dayOne);
        var indexRestores = ui.Step(F($"restore the last index backup, whole and chunked by turns, {RestoreRounds} times each"), () => Medians(
            ("index whole", () => IndexRestore.Restore(whole, BackupSelector.Latest, Path.Combine(workDirectory, "restored-whole.nhnsw"))),
            ("index chunked", () => IndexRestore.Restore(chunked, BackupSelector.Latest, Path.Combine(workDirectory, "restored-chunked.nhnsw")))));
        double restoreWhole = indexRestores[0].Seconds, restoreChunked = indexRestores[1].Seconds;

        sections.AddRange(Store(s, ui, workDirectory, start, days, notes));
        var storeRestores = ui.Step(F($"restore the last store backup, whole, chunked and the incremental chain by turns, {RestoreRounds} times each"), () =>
        {
            int round = 0;
            string Fresh(string name) => Path.Combine(workDirectory, F($"restored-{name}-{round++}"));
            return Medians(
                ("store whole", () => StoreRestore.Restore(new LocalFolderTarget(Path.Combine(workDirectory, "store-whole")), BackupSelector.Latest, Fresh("store-whole"))),
                ("store chunked", () => StoreRestore.Restore(new LocalFolderTarget(Path.Combine(workDirectory, "store-chunked")), BackupSelector.Latest, Fresh("store-chunked"))),
                ("store chain", () => StoreRestore.Restore(new LocalFolderTarget(Path.Combine(workDirectory, "store-delta")), BackupSelector.Latest, Fresh("store-delta"))));
        });
        notes.Add(F($"Restores (all checks; median of {RestoreRounds}, run by turns): index whole {restoreWhole * 1e3:F0} ms, chunked {restoreChunked * 1e3:F0} ms ({restoreChunked / restoreWhole:F2}×); store whole {storeRestores[0].Seconds * 1e3:F0} ms, chunked {storeRestores[1].Seconds * 1e3:F0} ms ({storeRestores[1].Seconds / storeRestores[0].Seconds:F2}×), full + {s.Days} incrementals {storeRestores[2].Seconds * 1e3:F0} ms."));
        var restoreSteps = indexRestores.Concat(storeRestores).ToList();
        foreach (var arm in restoreSteps)
            notes.Add(F($"Restore steps, {arm.Name} (median ms of each step): {string.Join(", ", arm.Steps.Select(Describe))}."));
        long wholeTotal = days.Where(d => d.Source == "index").Sum(d => d.WholeBytes);
        long chunkedTotal = days.Where(d => d.Source == "index").Sum(d => d.ChunkedBytes);
        notes.Add(F($"index: {s.Days + 1} backups stored {wholeTotal:N0} bytes whole, {chunkedTotal:N0} as chunks ({100.0 * chunkedTotal / wholeTotal:F1} %)"));
        var later = days.Where(d => d.Source == "index" && d.Day > 0).ToList();
        if (later.Count > 0)
            notes.Add(F($"index: a daily chunked backup after {s.GrowthPercent} % new vectors stored {100.0 * later.Average(d => (double)d.ChunkedBytes / d.SourceBytes):F1} % of the index's bytes on average (max {100.0 * later.Max(d => (double)d.ChunkedBytes / d.SourceBytes):F1} %)"));
        return new BackupReport(s.CommandLine, DateTimeOffset.Now, MachineInfo.Detect(), s, days, sections, restoreWhole, restoreChunked, notes,
            [.. storeRestores.Select(a => a.Seconds)], restoreSteps);
    }

    private static List<BackupSection> Store(BackupSettings s, ConsoleUi ui, string workDirectory, DateTimeOffset start, List<BackupDay> days, List<string> notes)
    {
        var whole = new LocalFolderTarget(Path.Combine(workDirectory, "store-whole"));
        var chunked = new LocalFolderTarget(Path.Combine(workDirectory, "store-chunked"));
        var delta = new LocalFolderTarget(Path.Combine(workDirectory, "store-delta"));
        foreach (var t in new[] { whole, chunked, delta })
            Directory.CreateDirectory(t.Root);
        string temp = Path.Combine(workDirectory, "tmp");
        string db0 = Path.Combine(workDirectory, "store0.db"), db1 = Path.Combine(workDirectory, "store1.db");
        var random = new Random(s.Seed);
        float[] data = SyntheticVectors.Clustered(s.StoreRecords, s.Dimensions, s.Seed + 1);
        using var client = new PersistentClient(Path.Combine(workDirectory, "store"), s_manual);
        var collection = client.CreateCollection("bench", new CollectionOptions { Dimensions = s.Dimensions, Metric = DistanceMetric.Cosine, M = 16, EfConstruction = 100 });
        ui.Step(F($"store: insert {s.StoreRecords:N0} records"), () =>
        {
            for (int at = 0; at < s.StoreRecords; at += 1000)
            {
                int n = Math.Min(1000, s.StoreRecords - at);
                collection.Add([.. Enumerable.Range(at, n).Select(i => "r" + i.ToString(CultureInfo.InvariantCulture))],
                    [.. Enumerable.Range(at, n).Select(i => data.AsSpan(i * s.Dimensions, s.Dimensions).ToArray())],
                    metadatas: [.. Enumerable.Range(at, n).Select(i => (IReadOnlyDictionary<string, object?>?)new Dictionary<string, object?> { ["i"] = (long)i })]);
            }
        });
        int changes = Math.Max(1, (int)Math.Round(s.StoreRecords * s.GrowthPercent / 100));
        for (int d = 0; d <= s.Days; d++)
        {
            if (d > 0)
            {
                var ids = Enumerable.Range(0, changes).Select(_ => "r" + random.Next(s.StoreRecords).ToString(CultureInfo.InvariantCulture)).Distinct().ToList();
                collection.Upsert(ids, [.. ids.Select(_ => Enumerable.Range(0, s.Dimensions).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray())]);
            }
            client.Checkpoint();
            var options = new BackupOptions { CreatedUtc = start.AddDays(d), TempDirectory = temp };
            var (w, wt) = Time(() => StoreBackup.Backup(client, whole, options));
            var (c, ct) = Time(() => StoreBackup.Backup(client, chunked, options with { Chunked = true }));
            var (i, it) = Time(() => d == 0 ? StoreBackup.Backup(client, delta, options) : StoreBackup.BackupIncremental(client, delta, null, options));
            // An incremental chains to the day before (the unchanged one of day 0 sorts after day 0's full).
            // The snapshot's database, as the backup stored it (the live file's pages may still sit in its write-ahead log).
            if (d <= 1)
                File.Copy(Path.Combine(whole.Root, w.Id, StoreBackup.DatabaseFileName), d == 0 ? db0 : db1);
            if (d == 0)
            {
                // What an incremental of a store in which nothing changed costs (it chains the next day's to it).
                var u = StoreBackup.BackupIncremental(client, delta, null, options with { CreatedUtc = start.AddHours(12) });
                notes.Add(F($"store: an incremental of the unchanged {s.StoreRecords:N0}-record store stored {Stored(delta, u):N0} bytes (delta {u.Files.First(f => f.Role == "delta").Length:N0}, state patch {u.Files.First(f => f.Role == "state-patch").Length:N0}, manifest included); the full backup's whole state.json is {i.Files.First(f => f.Role == "state").Length:N0}"));
            }
            else if (d == 1)
            {
                notes.Add(F($"store: the day-1 incremental ({s.GrowthPercent} % of the records changed) stored {Stored(delta, i):N0} bytes (delta {i.Files.First(f => f.Role == "delta").Length:N0}, state patch {i.Files.First(f => f.Role == "state-patch").Length:N0})"));
            }
            long bytes = w.Files.Where(f => f.Role != "state").Sum(f => f.Length);
            days.Add(new BackupDay("store", d, collection.Count(), bytes, Stored(whole, w), wt, Stored(chunked, c), ct, Stored(delta, i), it));
            ui.Line(F($"store day {d}: chunked stored {c.StoredBytes:N0}, incremental {i.StoredBytes:N0} (state {i.Files.First(f => f.Role is "state" or "state-patch").Length:N0})"));
        }
        return [Whole("store.db (SQLite)", db0, db1, ChunkedFileKind.Database)];
    }

    private const int RestoreRounds = 3;

    /// <summary>
    /// Runs the arms by turns (a warm-up round first, not counted), <see cref="RestoreRounds"/> times each; the median
    /// seconds of each, and the median of each step its reports name (and of each step's parts), so a gap between two
    /// arms is found in the step that makes it.
    /// </summary>
    private static BackupRestoreSteps[] Medians(params (string Name, Func<RestoreReport> Run)[] arms)
    {
        foreach (var arm in arms)
            arm.Run();
        var times = arms.Select(_ => new List<double>()).ToArray();
        var steps = arms.Select(_ => new List<RestoreReport>()).ToArray();
        for (int r = 0; r < RestoreRounds; r++)
        {
            for (int a = 0; a < arms.Length; a++)
            {
                var clock = Stopwatch.StartNew();
                steps[a].Add(arms[a].Run());
                times[a].Add(clock.Elapsed.TotalSeconds);
            }
        }
        return [.. arms.Select((arm, a) => new BackupRestoreSteps(arm.Name, Median(times[a]), StepMedians(steps[a].Select(report => report.Steps))))];
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>The median of each named step over the runs (in the order the first run took them), with its parts' medians.</summary>
    private static IReadOnlyList<BackupStepTime> StepMedians(IEnumerable<IReadOnlyList<RestoreStep>> runs)
    {
        var list = runs.ToList();
        return [.. list[0].Select(step =>
        {
            var same = list.Select(run => run.FirstOrDefault(x => x.Name == step.Name)).OfType<RestoreStep>().ToList();
            var parts = step.Parts is null ? null : StepMedians(same.Select(x => x.Parts ?? []).Where(p => p.Count > 0));
            return new BackupStepTime(step.Name, Median(same.Select(x => x.Elapsed.TotalMilliseconds)), parts);
        })];
    }

    private static string Describe(BackupStepTime step) =>
        F($"{step.Name} {step.Milliseconds:F1}") + (step.Parts is { Count: > 0 } parts ? " (" + string.Join(", ", parts.Select(Describe)) + ")" : "");

    /// <summary>What a backup added to its target, its manifest included.</summary>
    private static long Stored(LocalFolderTarget target, BackupManifest backup) =>
        (backup.StoredBytes ?? 0) + new FileInfo(Path.Combine(target.Root, backup.Id, BackupManifest.FileName)).Length;

    /// <summary>Day 1's index file by section: bytes, bytes of the chunks day 0 did not have (raw and as stored), and Zstandard's size of the whole section.</summary>
    private static List<BackupSection> Sections(string dayZero, string dayOne)
    {
        var before = Keys(File.ReadAllBytes(dayZero), ChunkedFileKind.Index);
        byte[] bytes = File.ReadAllBytes(dayOne);
        var spans = ChunkLayout.Plan(ChunkedFileKind.Index, bytes, bytes.Length);
        var sections = ChunkLayout.IndexSections(bytes, bytes.Length) ?? throw new InvalidOperationException("day 1's index has no section table");
        var rows = new List<BackupSection>();
        foreach (var section in sections.Prepend(new IndexSectionSpan(0, 0, sections[0].Offset)))
        {
            var inside = spans.Where(c => c.Offset >= section.Offset && c.Offset < section.Offset + Math.Max(1, section.Length));
            rows.Add(Measure(SectionName(section.Id), section.Length, bytes, ChunkedFileKind.Index, inside, before));
        }
        return rows;
    }

    /// <summary>For the chunks <paramref name="spans"/> of <paramref name="bytes"/>: those not in <paramref name="before"/> (raw and as stored), and Zstandard's size of all of them.</summary>
    private static BackupSection Measure(string name, long length, byte[] bytes, ChunkedFileKind kind, IEnumerable<ChunkSpan> spans, HashSet<string> before)
    {
        long fresh = 0, stored = 0, zstd = 0;
        foreach (var span in spans)
        {
            var chunk = bytes.AsSpan((int)span.Offset, span.Length);
            zstd += ChunkCodec.Encode(chunk, compress: true).Length - ChunkCodec.HeaderBytes;
            if (before.Contains(ChunkCodec.Key(chunk)))
                continue;
            fresh += span.Length;
            stored += ChunkCodec.Encode(chunk, kind, span.Compress).Length;
        }
        return new BackupSection(name, length, fresh, stored, zstd);
    }

    private static BackupSection Whole(string name, string dayZero, string dayOne, ChunkedFileKind kind)
    {
        var before = Keys(File.ReadAllBytes(dayZero), kind);
        byte[] bytes = File.ReadAllBytes(dayOne);
        return Measure(name, bytes.Length, bytes, kind, ChunkLayout.Plan(kind, bytes, bytes.Length), before);
    }

    private static HashSet<string> Keys(byte[] bytes, ChunkedFileKind kind) =>
        [.. ChunkLayout.Plan(kind, bytes, bytes.Length).Select(span => ChunkCodec.Key(bytes.AsSpan((int)span.Offset, span.Length)))];

    private static string SectionName(uint id) => id switch
    {
        0 => "header + table",
        1 => "vectors",
        2 => "links0",
        3 => "upperlinks",
        4 => "upperoffsets",
        5 => "labels",
        6 => "states",
        7 => "labelindex",
        8 => "int8vectors",
        9 => "quantizer",
        10 => "f16vectors",
        _ => F($"section {id}"),
    };

    public static IReadOnlyList<TableData> Tables(BackupReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        var dayRows = report.Days.Select(d => (IReadOnlyList<string>)
        [
            d.Source, F($"{d.Day}"), F($"{d.Records:N0}"), F($"{d.SourceBytes:N0}"), F($"{d.WholeBytes:N0}"), F($"{d.WholeSeconds * 1e3:F0}"),
            F($"{d.ChunkedBytes:N0}"), F($"{100.0 * d.ChunkedBytes / d.SourceBytes:F1} %"), F($"{d.ChunkedSeconds * 1e3:F0}"),
            d.DeltaBytes is { } b ? F($"{b:N0}") : "", d.DeltaSeconds is { } t ? F($"{t * 1e3:F0}") : "",
        ]).ToArray();
        var totals = report.Days.GroupBy(d => d.Source).Select(g => (IReadOnlyList<string>)
        [
            g.Key, F($"{g.Count()}"), F($"{g.Sum(d => d.WholeBytes):N0}"), F($"{g.Sum(d => d.WholeSeconds):F1}"), F($"{g.Sum(d => d.ChunkedBytes):N0}"),
            F($"{g.Sum(d => d.ChunkedSeconds):F1}"), g.Any(d => d.DeltaBytes is not null) ? F($"{g.Sum(d => d.DeltaBytes ?? 0):N0}") : "",
        ]).ToArray();
        var sectionRows = report.Sections.Select(x => (IReadOnlyList<string>)
        [
            x.Name, F($"{x.Bytes:N0}"), F($"{x.NewBytes:N0}"), x.Bytes == 0 ? "" : F($"{100.0 * x.NewBytes / x.Bytes:F1} %"), F($"{x.NewStoredBytes:N0}"),
            x.Bytes == 0 ? "" : F($"{(double)x.ZstdBytes / x.Bytes:F3}"),
        ]).ToArray();
        return
        [
            new TableData(F($"Daily backups: an index of {s.Count:N0} × {s.Dimensions} growing {s.GrowthPercent} % a day, a store of {s.StoreRecords:N0} records with {s.GrowthPercent} % changed a day (bytes each backup added to its target, manifest included; ms)"),
                ["source", "day", "records", "bytes", "whole: stored", "ms", "chunked: stored", "of bytes", "ms", "incremental: stored", "ms"], dayRows),
            new TableData("Totals (bytes; s)", ["source", "backups", "whole", "s", "chunked", "s", "incremental"], totals),
            new TableData("Day 1 by section: bytes, bytes in chunks day 0 did not have, as stored (framed, compressed where chosen), Zstandard level 3 ratio of the section",
                ["section", "bytes", "new", "new %", "stored", "zstd ratio"], sectionRows),
            new TableData(F($"Restore of the last index backup and store backup (all checks; median of {RestoreRounds} run by turns, ms)"), ["source", "whole", "chunked", "full + incrementals"],
                [
                    ["index", F($"{report.IndexRestoreWholeSeconds * 1e3:F0}"), F($"{report.IndexRestoreChunkedSeconds * 1e3:F0}"), ""],
                    .. report.StoreRestoreSeconds is { Count: 3 } st ? [(IReadOnlyList<string>)["store", F($"{st[0] * 1e3:F0}"), F($"{st[1] * 1e3:F0}"), F($"{st[2] * 1e3:F0}")]] : Array.Empty<IReadOnlyList<string>>(),
                ]),
            new TableData(F($"Restore steps (median of {RestoreRounds}, ms; a step's parts indented, worker-thread parts summed over the threads)"), ["restore", "step", "ms"],
                [.. (report.RestoreSteps ?? []).SelectMany(arm => arm.Steps.SelectMany(step => StepRows(arm.Name, step, "")))]),
        ];
    }

    private static IEnumerable<IReadOnlyList<string>> StepRows(string arm, BackupStepTime step, string indent) =>
        [(IReadOnlyList<string>)[arm, indent + step.Name, F($"{step.Milliseconds:F1}")], .. (step.Parts ?? []).SelectMany(p => StepRows(arm, p, indent + "  "))];

    private static (T Result, double Seconds) Time<T>(Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        var result = work();
        return (result, clock.Elapsed.TotalSeconds);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
