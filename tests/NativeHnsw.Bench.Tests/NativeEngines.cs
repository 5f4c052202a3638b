using NativeHnsw.Interop;

namespace NativeHnsw.Bench.Tests;

/// <summary>Tests that need native engines skip, with the locator's reason, where a library is missing; under CI (<c>CI=true</c>) they fail instead.</summary>
internal static class NativeEngines
{
    public static void Require(params VectorEngineFactory[] factories)
    {
        foreach (var factory in factories)
        {
            if (factory.IsAvailable)
                continue;
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                Assert.Fail($"CI=true requires the native libraries: {factory.UnavailableReason}");
            Assert.Skip($"{factory.Name} unavailable: {factory.UnavailableReason}");
        }
    }
}
