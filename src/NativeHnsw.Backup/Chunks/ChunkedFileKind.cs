namespace NativeHnsw.Backup;

/// <summary>What a chunked file holds, which decides where its chunks are cut and which are compressed (<see cref="ChunkLayout"/>).</summary>
public enum ChunkedFileKind
{
    /// <summary>A NativeHnsw index file: chunks cut along its sections.</summary>
    Index,

    /// <summary>A SQLite database: fixed chunks that are whole pages, compressed.</summary>
    Database,

    /// <summary>Anything else: fixed chunks, compressed where it pays.</summary>
    Other,
}
