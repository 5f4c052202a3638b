namespace NativeHnsw.Storage;

/// <summary>The store was written by a newer version of NativeHnsw.Storage, whose format this one cannot read safely.</summary>
public sealed class StoreVersionException : StoreException
{
    public StoreVersionException(string storePath, int foundVersion, int supportedVersion)
        : base($"{storePath}: store format version {foundVersion} is newer than this library supports ({supportedVersion}); open it with a newer NativeHnsw.Storage.")
    {
        StorePath = storePath;
        FoundVersion = foundVersion;
        SupportedVersion = supportedVersion;
    }

    public string StorePath { get; }

    public int FoundVersion { get; }

    public int SupportedVersion { get; }
}
