namespace NativeHnsw.Storage.Internal;

/// <summary>The op column of the change log.</summary>
internal enum ChangeOp
{
    /// <summary>The record's vector was inserted or replaced.</summary>
    Upsert = 1,

    /// <summary>The record was deleted.</summary>
    Delete = 2,
}
