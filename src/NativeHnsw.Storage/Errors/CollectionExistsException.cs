namespace NativeHnsw.Storage;

/// <summary>A collection of that name exists already, or exists with other fixed options than the ones asked for.</summary>
public sealed class CollectionExistsException : StoreException
{
    public CollectionExistsException(string storePath, string name, string detail)
        : base($"{storePath}: collection '{name}' {detail}")
    {
        Name = name;
    }

    public string Name { get; }
}
