namespace NativeHnsw.Testing;

/// <summary>
/// Child-process programs the test projects build next to themselves (referenced with
/// ReferenceOutputAssembly="false") and run with <c>dotnet</c>, for tests whose failure can kill a process.
/// </summary>
public static class ChildProjects
{
    /// <summary>
    /// tests/<paramref name="project"/>/bin/&lt;configuration&gt;/&lt;framework&gt;/<paramref name="project"/>.dll, for the
    /// configuration and framework the calling test assembly was built for.
    /// </summary>
    /// <exception cref="FileNotFoundException">The child was not built.</exception>
    public static string Locate(string project)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = output.Name;
        string configuration = output.Parent!.Name;
        var tests = output.Parent.Parent!.Parent!.Parent!;
        string path = Path.Combine(tests.FullName, project, "bin", configuration, framework, project + ".dll");
        if (!File.Exists(path))
            throw new FileNotFoundException($"The child program {project} was not built at {path}; build the test project, which builds it.", path);
        return path;
    }
}
