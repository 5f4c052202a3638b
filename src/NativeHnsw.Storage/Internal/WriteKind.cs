namespace NativeHnsw.Storage.Internal;

internal enum WriteKind
{
    /// <summary>Insert only: an id that exists rejects the batch.</summary>
    Add,

    /// <summary>Insert, or merge into the existing record.</summary>
    Upsert,

    /// <summary>Merge into existing records only: an id that does not exist rejects the batch.</summary>
    Update,
}
