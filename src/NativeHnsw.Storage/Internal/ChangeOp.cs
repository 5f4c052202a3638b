namespace NativeHnsw.Storage.Internal;

/// <summary>The op column of the change log.</summary>
internal enum ChangeOp
{
    /// <summary>The record's vector was inserted or replaced.</summary>
    Upsert = 1,

    /// <summary>The record was deleted.</summary>
    Delete = 2,

    /// <summary>Not a record change: an entry of the shipping log (<see cref="ShipLog"/>), which has a <c>ship_seq</c>.</summary>
    Logged = 3,
}
