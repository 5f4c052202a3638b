namespace NativeHnsw.Storage;

/// <summary>A metadata filter (<see cref="Where"/>) that does not follow the documented syntax; the message names the path inside it.</summary>
public sealed class FilterSyntaxException : StoreException
{
    public FilterSyntaxException(string path, string problem, Exception? innerException = null)
        : base($"bad where filter at {path}: {problem}", innerException)
    {
        FilterPath = path;
    }

    /// <summary>Where in the filter the problem is, as a JSON path (<c>$.$and[1].price</c>).</summary>
    public string FilterPath { get; }
}
