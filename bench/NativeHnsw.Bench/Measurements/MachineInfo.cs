using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Measurements;

/// <summary>What the figures were measured on, for the report's header.</summary>
public sealed record MachineInfo(string Cpu, int Cores, string CpuFeatures, string Runtime, string Os, IReadOnlyDictionary<string, string> EngineVersions)
{
    public static MachineInfo Detect()
    {
        var versions = new Dictionary<string, string>
        {
            ["NativeHnsw"] = typeof(HnswIndex).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            ["FAISS"] = NativeVersion(VectorEngineFactory.Faiss, "libfaiss-dev"),
            ["hnswlib"] = NativeVersion(VectorEngineFactory.Hnswlib, "libhnswlib-dev"),
            ["USearch"] = UsearchEngine.IsAvailable ? $"{UsearchEngine.Version} (Cloud.Unum.USearch, {UsearchEngine.Library.LoadedFrom})" : "unavailable",
        };
        return new MachineInfo(CpuModel(), Environment.ProcessorCount, Features(),
            $".NET {Environment.Version} ({RuntimeInformation.FrameworkDescription})", RuntimeInformation.OSDescription, versions);
    }

    public override string ToString() =>
        $"{Cpu}, {Cores} cores, {CpuFeatures}; {Runtime}; {Os}";

    private static string Features()
    {
        var features = new List<string>();
        if (Avx512F.IsSupported)
            features.Add("AVX-512F");
        if (Avx2.IsSupported)
            features.Add("AVX2");
        if (Fma.IsSupported)
            features.Add("FMA");
        if (features.Count == 0 && System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
            features.Add("AdvSIMD");
        int width = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;
        features.Add($"widest accelerated vector {width} bits");
        features.Add($"int8 kernel {NativeHnsw.Distance.NativeInt8Kernel.Status}");
        return string.Join(", ", features);
    }

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null)
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The Debian package version of the headers our shim was built against (the shim links them statically or dynamically).</summary>
    private static string NativeVersion(VectorEngineFactory factory, string package)
    {
        if (!factory.IsAvailable)
            return "unavailable";
        string? debian = DpkgVersion(package);
        var library = factory.Library;
        string from = library?.LoadedFrom is { } l ? Path.GetFileName(l) : "?";
        return debian is null ? $"{from} (version unknown)" : $"{package} {debian} via {from}";
    }

    private static string? DpkgVersion(string package)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("dpkg-query", ["-W", "-f=${Version}", package])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
                return null;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit(5_000);
            return process.ExitCode == 0 && output.Length > 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
