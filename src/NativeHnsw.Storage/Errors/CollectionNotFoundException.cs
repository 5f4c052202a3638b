namespace NativeHnsw.Storage;

/// <summary>No collection of that name exists in the store (or it was deleted while a handle to it was held).</summary>
public sealed class CollectionNotFoundException : StoreException
{
    public CollectionNotFoundException(string storePath, string name)
        : base($"{storePath}: collection '{name}' does not exist.")
    {
        Name = name;
    }

    public string Name { get; }
}
