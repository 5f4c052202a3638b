using System.Diagnostics;
using NativeHnsw.Testing;

namespace NativeHnsw.Tests.Storage;

/// <summary>
/// A child process saves two indexes over one path in turn, and is killed at random moments,
/// mostly in the middle of a save. After every kill the target must be one of the two files, whole,
/// and load. Seeded; a failure names the seed and the attempt.
/// </summary>
public sealed class CrashSafetyTests
{
    private const int Kills = 30;
    private const int Seed = 20_240_611;

    [Fact]
    public async Task Save_KilledAtRandomMoments_TargetIsAlwaysOldOrNewAndLoads()
    {
        using var folder = new TempDirectory();
        string first = folder.File("first.nhnsw"), second = folder.File("second.nhnsw"), target = folder.File("target.nhnsw");
        // ~1.3 MB each, so a save spans many writes and a random kill usually lands inside one.
        Build(seed: 1, first);
        Build(seed: 2, second);
        var firstBytes = await File.ReadAllBytesAsync(first, TestContext.Current.CancellationToken);
        var secondBytes = await File.ReadAllBytesAsync(second, TestContext.Current.CancellationToken);
        File.Copy(first, target);

        var random = new Random(Seed);
        int sawFirst = 0, sawSecond = 0;
        for (int attempt = 0; attempt < Kills; attempt++)
        {
            using var process = Process.Start(CrashChildProcess.StartInfo(first, second, target))!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line != "ready")
            {
                process.Kill();
                Assert.Fail($"The crash child did not start: {line}\n{await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)}");
            }
            // Wait for 0, 1 or 2 whole saves first: on a loaded machine a save can outlast the random delay, and
            // without this every kill would land in the first save and leave the first version only.
            for (int saves = random.Next(0, 3); saves > 0; saves--)
            {
                string? saved = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (saved != "saved")
                {
                    process.Kill();
                    Assert.Fail($"The crash child stopped saving: {saved}\n{await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)}");
                }
            }
            await Task.Delay(random.Next(0, 120), TestContext.Current.CancellationToken);
            process.Kill();
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);

            var bytes = await File.ReadAllBytesAsync(target, TestContext.Current.CancellationToken);
            bool isFirst = bytes.AsSpan().SequenceEqual(firstBytes), isSecond = bytes.AsSpan().SequenceEqual(secondBytes);
            Assert.True(isFirst || isSecond, $"seed {Seed}, kill {attempt}: the target ({bytes.Length} bytes) is neither index");
            sawFirst += isFirst ? 1 : 0;
            sawSecond += isSecond ? 1 : 0;
            using var loaded = HnswIndex.Load(target);
            Assert.Equal(2_000, loaded.Count);
        }
        // Both versions were seen, so kills did land at different points of the save loop.
        Assert.True(sawFirst > 0 && sawSecond > 0, $"only one version seen ({sawFirst} / {sawSecond})");
        // Temporary files of killed saves stay behind (named .target.nhnsw.<pid>.<guid>.tmp); the target is never one of them.
        Assert.All(Directory.GetFiles(folder.Path, "*.tmp"), f => Assert.StartsWith(".target.nhnsw.", Path.GetFileName(f), StringComparison.Ordinal));
    }

    private static void Build(int seed, string path)
    {
        const int dims = 96;
        using var index = new HnswIndex(new HnswOptions { Dimensions = dims, Metric = DistanceMetric.L2, EfConstruction = 32, Seed = (ulong)seed });
        index.AddRange(Datasets.RowLabels(2_000), Datasets.Gaussian(2_000, dims, seed));
        index.Save(path);
    }
}
