namespace NativeHnsw.Interop.Native;

/// <summary>What the locator needs to know about one native library.</summary>
/// <param name="Name">The name <c>[LibraryImport]</c> uses, e.g. <c>faiss_c</c>.</param>
/// <param name="EnvironmentVariable">Names a library file that takes precedence over every other location.</param>
/// <param name="RequiredExport">A symbol the library must export to be the right one.</param>
/// <param name="ExtensionExport">A symbol only NativeHnsw's own build exports; null for a library we do not build.</param>
/// <param name="Remedy">How to get the library, ending the "unavailable" message.</param>
internal sealed record NativeLibrarySpec(string Name, string EnvironmentVariable, string RequiredExport, string? ExtensionExport, string Remedy)
{
    /// <summary>The remedy for a library that native/ builds from Debian packages.</summary>
    public static string BuiltFrom(string packages) =>
        $"apt-get install {packages} cmake g++, then `dotnet build` (it builds native/)";

    /// <summary>The platform's file name for <see cref="Name"/>.</summary>
    public string FileName =>
        OperatingSystem.IsWindows() ? Name + ".dll"
        : OperatingSystem.IsMacOS() ? "lib" + Name + ".dylib"
        : "lib" + Name + ".so";
}
