using System.Runtime.InteropServices;
using NativeHnsw.Interop.Native;

namespace NativeHnsw.Interop.Tests;

/// <summary>The probe order, and the reasons the locator gives when it finds nothing.</summary>
public sealed class LoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nhnsw-loader-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Faiss_EnvironmentVariable_IsPreferredOverTheAppFolder()
    {
        NativeRequirement.Faiss();
        // A user's own libfaiss_c.so, standing in for a real FAISS build: a copy in a folder of its own.
        string userCopy = Path.Combine(_directory, "libfaiss_c.so");
        File.Copy(FaissEngine.Library.LoadedFrom!, userCopy);
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "libfaiss_c.so")), "the app folder copy should exist too");

        var result = NativeLibraryLocator.Locate(
            NativeLibraries.FaissSpec,
            name => name == NativeLibraries.FaissEnvironmentVariable ? userCopy : null,
            AppContext.BaseDirectory);
        try
        {
            Assert.True(result.Status.IsAvailable, result.Status.Reason);
            Assert.Equal(userCopy, result.Status.LoadedFrom);
            Assert.Equal($"{NativeLibraries.FaissEnvironmentVariable}={userCopy}", result.Status.SearchedLocations[0]);
            Assert.True(NativeLibrary.TryGetExport(result.Handle, "faiss_Index_search", out _));
        }
        finally
        {
            NativeLibrary.Free(result.Handle);
        }
    }

    [Fact]
    public void Hnswlib_EnvironmentVariable_IsPreferredOverTheAppFolder()
    {
        NativeRequirement.Hnswlib();
        string userCopy = Path.Combine(_directory, "libhnswlib_c.so");
        File.Copy(HnswlibEngine.Library.LoadedFrom!, userCopy);
        var result = NativeLibraryLocator.Locate(
            NativeLibraries.HnswlibSpec,
            name => name == NativeLibraries.HnswlibEnvironmentVariable ? userCopy : null,
            AppContext.BaseDirectory);
        try
        {
            Assert.Equal(userCopy, result.Status.LoadedFrom);
        }
        finally
        {
            NativeLibrary.Free(result.Handle);
        }
    }

    [Fact]
    public void EnvironmentVariable_NamingMissingFile_IsUnavailableWithoutFallingThrough()
    {
        NativeRequirement.Faiss();
        string missing = Path.Combine(_directory, "nope", "libfaiss_c.so");
        var status = NativeLibraryLocator.Locate(
            NativeLibraries.FaissSpec,
            name => name == NativeLibraries.FaissEnvironmentVariable ? missing : null,
            AppContext.BaseDirectory).Status;
        Assert.False(status.IsAvailable);
        Assert.Contains(NativeLibraries.FaissEnvironmentVariable, status.Reason, StringComparison.Ordinal);
        Assert.Contains(missing, status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongLibrary_InTheAppFolder_IsRejectedByItsExports()
    {
        NativeRequirement.Hnswlib();
        // libhnswlib_c.so renamed to libfaiss_c.so loads, but it is not FAISS's C API.
        File.Copy(HnswlibEngine.Library.LoadedFrom!, Path.Combine(_directory, "libfaiss_c.so"));
        var status = NativeLibraryLocator.Locate(NativeLibraries.FaissSpec with { Name = "faiss_c" }, _ => null, _directory).Status;
        if (status.IsAvailable)
            Assert.NotEqual(Path.Combine(_directory, "libfaiss_c.so"), status.LoadedFrom);
        else
            Assert.Contains("does not export faiss_Index_search", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NothingFound_ReasonNamesFileSearchedPathsAndTheFix()
    {
        // A library name nobody has, probed from a folder outside any source tree.
        var spec = NativeLibraries.FaissSpec with { Name = "nativehnsw_no_such_library" };
        var status = NativeLibraryLocator.Locate(spec, _ => null, _directory).Status;

        Assert.False(status.IsAvailable);
        Assert.Equal("libnativehnsw_no_such_library.so", status.FileName);
        Assert.Contains(Path.Combine(_directory, "libnativehnsw_no_such_library.so"), status.SearchedLocations);
        Assert.Contains("libnativehnsw_no_such_library.so", status.Reason, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_directory, "libnativehnsw_no_such_library.so"), status.Reason, StringComparison.Ordinal);
        Assert.Contains("apt-get install libfaiss-dev", status.Reason, StringComparison.Ordinal);
        Assert.Contains("dotnet build", status.Reason, StringComparison.Ordinal);
        Assert.Contains(NativeLibraries.FaissEnvironmentVariable, status.Reason, StringComparison.Ordinal);

        var e = new NativeEngineUnavailableException("FAISS", status);
        Assert.Contains(status.Reason!, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SourceTree_BuildOutput_IsSearchedAfterTheAppFolder()
    {
        var candidates = NativeLibraryLocator.FileCandidates(NativeLibraries.FaissSpec, AppContext.BaseDirectory).ToList();
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "libfaiss_c.so"), candidates[0]);
        Assert.Contains(candidates, c => c.EndsWith(Path.Combine("native", "build", "lib", "libfaiss_c.so"), StringComparison.Ordinal));
    }

    [Fact]
    public void NugetPackage_RuntimesFolder_IsSearchedRightAfterTheAppFolder()
    {
        var candidates = NativeLibraryLocator.FileCandidates(NativeLibraries.UsearchSpec, AppContext.BaseDirectory).ToList();
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "runtimes", NativeLibraryLocator.PortableRid, "native", "libusearch_c.so"), candidates[1]);
    }

    [Fact]
    public void Usearch_NothingFound_ReasonSaysToRestoreThePackage()
    {
        var spec = NativeLibraries.UsearchSpec with { Name = "nativehnsw_no_such_library" };
        var status = NativeLibraryLocator.Locate(spec, _ => null, _directory).Status;
        Assert.False(status.IsAvailable);
        Assert.Contains("Cloud.Unum.USearch", status.Reason, StringComparison.Ordinal);
        Assert.Contains(NativeLibraries.UsearchEnvironmentVariable, status.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("libfaiss", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Usearch_FromThePackage_LoadsWithoutExtensions()
    {
        NativeRequirement.Usearch();
        Assert.Contains(Path.Combine("runtimes", NativeLibraryLocator.PortableRid, "native"), UsearchEngine.Library.LoadedFrom, StringComparison.Ordinal);
        Assert.False(UsearchEngine.Library.HasNativeHnswExtensions);
        Assert.Equal("2.26.6", UsearchEngine.Version);
    }

    [Fact]
    public void Factories_ReportAvailability_OursAlwaysAvailable()
    {
        Assert.True(VectorEngineFactory.NativeHnsw.IsAvailable);
        Assert.Null(VectorEngineFactory.NativeHnsw.UnavailableReason);
        Assert.Equal(["NativeHnsw", "NativeHnsw-i8", "NativeHnsw-f16", "FAISS", "hnswlib", "USearch", "USearch-f16", "USearch-i8", "USearch-wrapper"], VectorEngineFactory.All.Select(f => f.Name));
        foreach (var factory in VectorEngineFactory.All.Where(f => !f.IsAvailable))
            Assert.False(string.IsNullOrEmpty(factory.UnavailableReason));
        TestContext.Current.TestOutputHelper?.WriteLine($"{FaissEngine.Library}\n{HnswlibEngine.Library}");
    }
}
