using System.Diagnostics;
using NativeHnsw.Distance;

namespace NativeHnsw.Tests.Distance;

/// <summary>
/// Runs <see cref="VectorKernelTests"/>, <see cref="VectorDistanceTests"/>, <see cref="Int8KernelTests"/>,
/// <see cref="Int8QuantizerTests"/> (Encode's vector rung) and
/// <see cref="Storage.GoldenFileTests"/> (recorded answers of the golden files), <see cref="Graph.NodeDistanceTests"/> and
/// <see cref="NativeInt8KernelTests"/> again in a child process of this test assembly with an instruction set switched off
/// (the .NET 10 switch names) or the native int8 kernel switched off (<see cref="NativeInt8Kernel.SwitchName"/>, which
/// leaves the managed AVX-512 rung to run), so the narrower rungs of every kernel ladder are proven on this machine too.
/// The child asserts the switch took effect.
/// </summary>
public sealed class KernelFallbackTests
{
    [Theory]
    [InlineData("DOTNET_EnableAVX512")]
    [InlineData("DOTNET_EnableAVXVNNI")]
    [InlineData("DOTNET_EnableAVX2")]
    [InlineData("DOTNET_EnableHWIntrinsic")]
    [InlineData(NativeInt8Kernel.SwitchName)]
    public async Task KernelTests_WithInstructionSetOff_Pass(string switchName)
    {
        string assembly = typeof(VectorKernelTests).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            "exec", assembly,
            "--filter-class", typeof(VectorKernelTests).FullName!,
            "--filter-class", typeof(VectorDistanceTests).FullName!,
            "--filter-class", typeof(Int8KernelTests).FullName!,
            "--filter-class", typeof(Int8QuantizerTests).FullName!,
            "--filter-class", typeof(Storage.GoldenFileTests).FullName!,
            "--filter-class", typeof(Graph.NodeDistanceTests).FullName!,
            "--filter-class", typeof(NativeInt8KernelTests).FullName!,
            "--minimum-expected-tests", "1050",
            "--no-ansi", "--progress", "off",
        ];
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        start.Environment[switchName] = "0";

        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await child.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail($"The kernel tests with {switchName}=0 did not finish in 3 minutes.");
        }
        Assert.True(child.ExitCode == 0,
            $"Kernel tests with {switchName}=0 exited with {child.ExitCode}:\n{await stdout}\n{await stderr}");
    }
}
