namespace NativeHnsw.Interop.Tests;

/// <summary>
/// Skips a test, with the locator's reason, when a native library is missing; under CI (<c>CI=true</c>) fails it
/// instead, so CI always exercises the real native path.
/// </summary>
internal static class NativeRequirement
{
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static void Faiss() => Require(FaissEngine.Library, FaissEngine.EngineName);

    public static void Hnswlib() => Require(HnswlibEngine.Library, HnswlibEngine.EngineName);

    public static void Usearch() => Require(UsearchEngine.Library, UsearchEngine.EngineName);

    /// <summary>Requires whatever library the named engine needs (ours needs none).</summary>
    public static VectorEngineFactory Engine(string name)
    {
        var factory = VectorEngineFactory.All.Single(f => f.Name == name);
        if (factory.Library is { } library)
            Require(library, name);
        return factory;
    }

    private static void Require(NativeLibraryStatus library, string engine)
    {
        if (library.IsAvailable)
            return;
        string message = $"{engine} unavailable: {library.Reason}";
        if (IsCi)
            Assert.Fail($"CI=true requires the native libraries. {message}");
        Assert.Skip(message);
    }
}
