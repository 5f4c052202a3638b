using System.Runtime.InteropServices;

namespace NativeHnsw.Interop.Native;

/// <summary>
/// Finds and loads a native library, in this order: the file named by the spec's environment variable; the
/// application folder; native/build/lib of the source tree the application was built from; the system library search
/// path. For a library that ships in a NuGet package, the package's runtimes/RID/native folder under the application
/// folder comes right after the application folder itself. The first that loads and exports the required symbol wins. An environment variable naming a file that does
/// not load is an error, not a fallthrough: the user asked for that file.
/// </summary>
internal static class NativeLibraryLocator
{
    /// <summary>How many parent folders of the application folder are searched for native/build/lib.</summary>
    private const int MaxParentDepth = 8;

    internal readonly record struct Result(NativeLibraryStatus Status, nint Handle);

    public static Result Locate(NativeLibrarySpec spec, Func<string, string?> getEnvironmentVariable, string appDirectory)
    {
        var searched = new List<string>();
        var failures = new List<string>();

        string? fromEnvironment = getEnvironmentVariable(spec.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            string path = Path.GetFullPath(fromEnvironment);
            searched.Add($"{spec.EnvironmentVariable}={path}");
            if (TryLoad(spec, path, out nint handle, out string? failure))
                return Loaded(spec, path, handle, searched);
            return Unavailable(spec, searched,
                $"{spec.EnvironmentVariable} names {path}, which {failure}. Point it at a {spec.FileName} or unset it.");
        }
        searched.Add($"{spec.EnvironmentVariable} (not set)");

        foreach (string path in FileCandidates(spec, appDirectory))
        {
            searched.Add(path);
            if (!File.Exists(path))
                continue;
            if (TryLoad(spec, path, out nint handle, out string? failure))
                return Loaded(spec, path, handle, searched);
            failures.Add($"{path} {failure}");
        }

        searched.Add($"{spec.FileName} on the system library search path");
        if (TryLoad(spec, spec.FileName, out nint systemHandle, out string? systemFailure))
            return Loaded(spec, spec.FileName + " (system library search path)", systemHandle, searched);

        string why = failures.Count > 0
            ? string.Join("; ", failures)
            : $"{spec.FileName} was not found ({systemFailure})";
        return Unavailable(spec, searched,
            $"{why}. Searched: {string.Join(", ", searched)}. " +
            $"To fix: {spec.Remedy}, " +
            $"or set {spec.EnvironmentVariable} to the full path of a {spec.FileName}.");
    }

    /// <summary>
    /// The application folder, its runtimes/RID/native (where `dotnet build` puts a NuGet package's native assets for a
    /// RID-less build), then native/build/lib in every ancestor that holds native/CMakeLists.txt.
    /// </summary>
    internal static IEnumerable<string> FileCandidates(NativeLibrarySpec spec, string appDirectory)
    {
        yield return Path.Combine(appDirectory, spec.FileName);
        yield return Path.Combine(appDirectory, "runtimes", PortableRid, "native", spec.FileName);
        var directory = new DirectoryInfo(appDirectory);
        for (int depth = 0; directory is not null && depth <= MaxParentDepth; depth++, directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "native", "CMakeLists.txt")))
                yield return Path.Combine(directory.FullName, "native", "build", "lib", spec.FileName);
        }
    }

    /// <summary>The portable RID NuGet packages use for this process, e.g. linux-x64 or osx-arm64.</summary>
    internal static string PortableRid =>
        (OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" +
        RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    private static bool TryLoad(NativeLibrarySpec spec, string path, out nint handle, out string? failure)
    {
        handle = 0;
        if (Path.IsPathRooted(path) && !File.Exists(path))
        {
            failure = "does not exist";
            return false;
        }
        try
        {
            handle = NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // The runtime's message carries dlerror() (e.g. a missing libopenblas.so.0), over several lines.
            failure = $"failed to load: {string.Join(' ', e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}";
            return false;
        }
        if (!NativeLibrary.TryGetExport(handle, spec.RequiredExport, out _))
        {
            NativeLibrary.Free(handle);
            handle = 0;
            failure = $"loads but does not export {spec.RequiredExport}, so it is not {spec.Name}";
            return false;
        }
        failure = null;
        return true;
    }

    private static Result Loaded(NativeLibrarySpec spec, string path, nint handle, List<string> searched) =>
        new(new NativeLibraryStatus
        {
            FileName = spec.FileName,
            IsAvailable = true,
            LoadedFrom = path,
            SearchedLocations = searched,
            HasNativeHnswExtensions = spec.ExtensionExport is not null && NativeLibrary.TryGetExport(handle, spec.ExtensionExport, out _),
        }, handle);

    private static Result Unavailable(NativeLibrarySpec spec, List<string> searched, string reason) =>
        new(new NativeLibraryStatus
        {
            FileName = spec.FileName,
            IsAvailable = false,
            Reason = reason,
            SearchedLocations = searched,
        }, 0);
}
