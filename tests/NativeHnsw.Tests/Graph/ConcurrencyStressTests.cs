using System.Globalization;

namespace NativeHnsw.Tests.Graph;

/// <summary>
/// Races of every public member against adds, growth, deletes, saves and Dispose, run in a child
/// process (tests/NativeHnsw.CrashChild) so that an access violation fails the test instead of
/// killing the test host. Each run lasts NATIVEHNSW_STRESS_SECONDS (default 15) seconds; set it
/// higher for a longer run. The child prints its seed; a failure shows the child's output.
/// </summary>
public sealed class ConcurrencyStressTests
{
    private const string DurationVariable = "NATIVEHNSW_STRESS_SECONDS";
    private const int Seed = 20_261_201;

    /// <summary>
    /// One thread builds index after index from capacity 16 (so each grows many times) and disposes it;
    /// another calls Contains near the end of the current one. Before leases covered Contains, this
    /// killed the process with an AccessViolationException within seconds.
    /// </summary>
    [Fact]
    public async Task Contains_RacingGrowthAndDispose_AnswersOrThrowsDisposed()
    {
        double seconds = Duration();
        var (exitCode, output) = await CrashChildProcess.RunAsync(TimeSpan.FromSeconds(seconds + 120),
            "contains-race", seconds.ToString(CultureInfo.InvariantCulture), Seed.ToString(CultureInfo.InvariantCulture));
        Assert.True(exitCode == 0, $"The Contains/Dispose race (seed {Seed}) exited with {exitCode}:\n{output}");
        Assert.Matches(@"contains-race: [1-9]\d* indexes, [1-9]\d* lookups", output);
    }

    /// <summary>
    /// Writable indexes (new and loaded) and mapped ones, each driven through every public member by
    /// several threads while it is added to, grown, deleted from, saved, and disposed at a random moment.
    /// </summary>
    [Fact]
    public async Task EveryMember_RacingAddGrowDeleteSaveDispose_AnswersOrThrowsDisposed()
    {
        double seconds = Duration();
        using var folder = new TempDirectory();
        var (exitCode, output) = await CrashChildProcess.RunAsync(TimeSpan.FromSeconds(seconds + 120),
            "stress", seconds.ToString(CultureInfo.InvariantCulture), Seed.ToString(CultureInfo.InvariantCulture), folder.Path);
        Assert.True(exitCode == 0, $"The stress run (seed {Seed}) exited with {exitCode}:\n{output}");
        // The run covered both kinds of index, and calls did race Dispose.
        Assert.Matches(@"stress: \d+ indexes \([1-9]\d* mapped\), \d+ calls, [1-9]\d* saw the index disposed", output);
    }

    private static double Duration()
    {
        string? value = Environment.GetEnvironmentVariable(DurationVariable);
        if (string.IsNullOrEmpty(value))
            return 15;
        Assert.True(double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0,
            $"{DurationVariable} must be a positive number of seconds, not '{value}'.");
        return seconds;
    }
}
