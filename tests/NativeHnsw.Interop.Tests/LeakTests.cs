using System.Diagnostics;
using NativeHnsw.Interop.Native;
using NativeHnsw.Testing;

namespace NativeHnsw.Interop.Tests;

/// <summary>Thousands of create/free cycles leave neither live native indexes nor resident memory behind.</summary>
/// <remarks>Resident memory is process-wide, so these run alone (<see cref="LeakTestsCollection"/>).</remarks>
[Collection(LeakTestsCollection.Name)]
public sealed class LeakTests
{
    private const int Cycles = 2_000;
    private const int WarmUpCycles = 200;

    /// <summary>
    /// Far below what a leak costs: every cycle allocates an hnswlib index (≈ 2.6 MB: hnswlib reserves 65,536 update
    /// locks per index) or a FAISS index with 50 vectors of 64 floats (≈ 25 KB, plus FAISS's per-index tables), so leaking
    /// them would grow the process by gigabytes or by 50 MB.
    /// </summary>
    private const long MaxGrowthBytes = 24L << 20;

    /// <summary>Set in the child run: the libfaiss_c.so the loader must have picked.</summary>
    private const string ExpectedFaissLibraryVariable = "NHNSW_TEST_EXPECTED_FAISS_LIBRARY";

    [Fact]
    public void Hnswlib_CreateAddFree_Thousands_NoLeak()
    {
        NativeRequirement.Hnswlib();
        SettleFinalizers();
        long liveBefore = HnswlibEngine.LiveNativeIndexes;
        AssertBoundedGrowth(() =>
        {
            using var engine = HnswlibEngine.Create(TestData.Options(DistanceMetric.L2) with { InitialCapacity = 64 });
            engine.AddBatch(TestData.Labels.AsMemory(0, 50), TestData.Base.AsMemory(0, 50 * TestData.Dimensions), 1);
            engine.Search(TestData.Queries.AsSpan(0, TestData.Dimensions), 5, 20);
        });
        Assert.Equal(liveBefore, HnswlibEngine.LiveNativeIndexes);
    }

    [Fact]
    public void Faiss_CreateAddFree_Thousands_NoLeak()
    {
        NativeRequirement.Faiss();
        // In the child run of Faiss_FaissOwnCApi_CreateAddFree_Thousands_NoLeak: FAISS's own libfaiss_c.so was loaded.
        if (Environment.GetEnvironmentVariable(ExpectedFaissLibraryVariable) is { } expected)
        {
            Assert.Equal(expected, FaissEngine.Library.LoadedFrom);
            Assert.False(FaissEngine.Library.HasNativeHnswExtensions, "FAISS's own C API has no nh_faiss_ functions");
        }
        SettleFinalizers();
        long handlesBefore = FaissIndexHandle.Live;
        long? liveBefore = FaissEngine.LiveNativeIndexes;
        AssertBoundedGrowth(() =>
        {
            // FAISS's default efConstruction: the only one FAISS's own C API can build with.
            using var engine = FaissEngine.Create(TestData.Options(DistanceMetric.L2) with { EfConstruction = FaissEngine.FaissDefaultEfConstruction });
            engine.AddBatch(TestData.Labels.AsMemory(0, 50), TestData.Base.AsMemory(0, 50 * TestData.Dimensions), 1);
            Assert.Equal(5, engine.Search(TestData.Queries.AsSpan(0, TestData.Dimensions), 5, 20).Length);
        });
        // Every index handed to faiss_Index_free (counted on our side, so with any build) ...
        Assert.Equal(handlesBefore, FaissIndexHandle.Live);
        // ... and, with NativeHnsw's build, freed by the library too (its own counter; FAISS's has none).
        Assert.Equal(liveBefore, FaissEngine.LiveNativeIndexes);
        Assert.Equal(FaissEngine.Library.HasNativeHnswExtensions, liveBefore is not null);
    }

    /// <summary>
    /// The FAISS leak test again in a child process whose loader is pointed at FAISS's own C API (v1.7.3's c_api
    /// sources, unmodified, built by native/CMakeLists.txt as lib/upstream/libfaiss_c.so) instead of native/faiss_c, our
    /// implementation of the same names: FaissEngine must create, search and free through the real library, with
    /// bounded memory, where none of our extensions can count for it.
    /// </summary>
    [Fact]
    public async Task Faiss_FaissOwnCApi_CreateAddFree_Thousands_NoLeak()
    {
        NativeRequirement.Faiss();
        string? upstream = FaissOwnCApiBuild();
        if (upstream is null)
        {
            const string Missing = "FAISS's own C API was not built (native/build/lib/upstream/libfaiss_c.so; cmake --build native/build)";
            if (NativeRequirement.IsCi)
                Assert.Fail($"CI=true requires it: {Missing}");
            Assert.Skip(Missing);
        }
        var run = await TestAssemblyChild.RunAsync(
            typeof(LeakTests).Assembly.Location,
            ["--filter-method", $"{typeof(LeakTests).FullName}.{nameof(Faiss_CreateAddFree_Thousands_NoLeak)}", "--minimum-expected-tests", "1"],
            new Dictionary<string, string>
            {
                [NativeLibraries.FaissEnvironmentVariable] = upstream,
                [ExpectedFaissLibraryVariable] = upstream,
            },
            TimeSpan.FromMinutes(5),
            TestContext.Current.CancellationToken);
        Assert.True(run.Passed, run.Describe());
        TestContext.Current.TestOutputHelper?.WriteLine(run.Output);
    }

    [Fact]
    public void Usearch_CreateAddFree_Thousands_NoLeak()
    {
        // Each cycle holds 50 vectors, USearch's tape of links and one search context per processor (tens of KB).
        NativeRequirement.Usearch();
        SettleFinalizers();
        long liveBefore = UsearchEngine.LiveNativeIndexes;
        AssertBoundedGrowth(() =>
        {
            using var engine = UsearchEngine.Create(TestData.Options(DistanceMetric.L2) with { InitialCapacity = 64 });
            engine.AddBatch(TestData.Labels.AsMemory(0, 50), TestData.Base.AsMemory(0, 50 * TestData.Dimensions), 1);
            engine.Search(TestData.Queries.AsSpan(0, TestData.Dimensions), 5, 20);
        });
        Assert.Equal(liveBefore, UsearchEngine.LiveNativeIndexes);
    }

    [Fact]
    public void Usearch_HandleNotDisposed_IsCountedLive()
    {
        NativeRequirement.Usearch();
        long before = UsearchEngine.LiveNativeIndexes;
        var engine = UsearchEngine.Create(TestData.Options(DistanceMetric.L2) with { InitialCapacity = 8 });
        Assert.True(UsearchEngine.LiveNativeIndexes >= before + 1);
        engine.Dispose();
    }

    [Fact]
    public void Hnswlib_HandleNotDisposed_IsCountedLive()
    {
        // The counter the leak test relies on does see an index that is not freed.
        NativeRequirement.Hnswlib();
        long before = HnswlibEngine.LiveNativeIndexes;
        var engine = HnswlibEngine.Create(TestData.Options(DistanceMetric.L2) with { InitialCapacity = 8 });
        Assert.True(HnswlibEngine.LiveNativeIndexes >= before + 1);
        engine.Dispose();
    }

    /// <summary>native/build/lib/upstream/libfaiss_c.so of the source tree these tests were built from, if it was built.</summary>
    private static string? FaissOwnCApiBuild() =>
        NativeLibraryLocator.FileCandidates(NativeLibraries.FaissSpec, AppContext.BaseDirectory)
            .Where(c => c.EndsWith(Path.Combine("native", "build", "lib", "libfaiss_c.so"), StringComparison.Ordinal))
            .Select(c => Path.Combine(Path.GetDirectoryName(c)!, "upstream", "libfaiss_c.so"))
            .FirstOrDefault(File.Exists);

    private static void AssertBoundedGrowth(Action cycle)
    {
        for (int i = 0; i < WarmUpCycles; i++)
            cycle();
        long before = ResidentBytes();
        for (int i = 0; i < Cycles; i++)
            cycle();
        long growth = ResidentBytes() - before;
        TestContext.Current.TestOutputHelper?.WriteLine($"RSS growth over {Cycles} cycles: {growth / 1024} KiB");
        Assert.True(growth < MaxGrowthBytes, $"resident memory grew {growth / (1 << 20)} MiB over {Cycles} create/free cycles");
    }

    /// <summary>Runs pending finalizers, so a handle some other test dropped cannot be counted in one reading and not the next.</summary>
    private static void SettleFinalizers()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static long ResidentBytes()
    {
        SettleFinalizers();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
