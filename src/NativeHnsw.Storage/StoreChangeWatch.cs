using Microsoft.Data.Sqlite;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>
/// A store's change stamp (<see cref="PersistentClient.ReadChangeStamp(string)"/>), read again only when the store may
/// have changed since the last read, for a scheduler that asks every hour whether a store needs a backup. A read-only
/// connection held open on the store's database answers <c>PRAGMA data_version</c>, which SQLite changes whenever any
/// other connection, in any process, commits to that file; the file's length and times show it replaced (a restore)
/// or checkpointed. While all of them are as they were, no commit happened, so the stamp is the one read last: a quiet
/// store costs one pragma, not an open of the database and a digest of its collections. After a change the stamp is
/// read on that same connection (a fresh one would parse the store's whole schema first). Not thread-safe.
/// </summary>
/// <remarks>
/// On Windows nothing is held (each read opens the database, as <see cref="PersistentClient.ReadChangeStamp(string)"/>
/// does): an open handle there would stop a restore from renaming the store's folder while the watch lives.
/// </remarks>
public sealed class StoreChangeWatch : IDisposable
{
    private readonly string _folder;
    private readonly string _database;
    private SqliteConnection? _connection;
    private (long Version, long Length, DateTime Written, DateTime Created)? _seen;
    private string? _stamp;

    /// <param name="storeFolder">The store's folder; it need not be a store yet (<see cref="Read"/> says when it is not).</param>
    public StoreChangeWatch(string storeFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeFolder);
        _folder = Path.GetFullPath(storeFolder);
        _database = new StoreLayout(_folder).DatabaseFile;
    }

    /// <summary>How many times the stamp itself was read (the watch's misses).</summary>
    public int Reads { get; private set; }

    /// <summary>The store's change stamp now.</summary>
    /// <exception cref="StoreException">The folder is not a store, or its database cannot be read.</exception>
    public string Read()
    {
        if (OperatingSystem.IsWindows())
        {
            Reads++;
            return PersistentClient.ReadChangeStamp(_folder);
        }
        var file = new FileInfo(_database);
        if (!file.Exists)
        {
            Forget();
            // Says what is missing, in the store's own words.
            return PersistentClient.ReadChangeStamp(_folder);
        }
        var seen = (Version(), file.Length, file.LastWriteTimeUtc, file.CreationTimeUtc);
        if (_stamp is not null && _seen == seen)
            return _stamp;
        if (_seen is { } last && (last.Length, last.Written, last.Created) != (seen.Length, seen.LastWriteTimeUtc, seen.CreationTimeUtc))
        {
            // Replaced or checkpointed: a held connection to a replaced file would watch the old one.
            Forget();
            seen = (Version(), file.Length, file.LastWriteTimeUtc, file.CreationTimeUtc);
        }
        // The version is taken before the stamp: a commit between the two is in the stamp, and changes the next version.
        Reads++;
        try
        {
            _stamp = PersistentClient.ReadChangeStamp(_connection!);
        }
        catch (SqliteException e)
        {
            Forget();
            throw PersistentClient.ChangeStampFailed(_folder, e);
        }
        _seen = seen;
        return _stamp;
    }

    private long Version()
    {
        try
        {
            if (_connection is null)
            {
                _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _database, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 }.ToString());
                _connection.Open();
            }
            using var command = _connection.CreateCommand();
            command.CommandText = "PRAGMA data_version;";
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException e)
        {
            Forget();
            throw PersistentClient.ChangeStampFailed(_folder, e);
        }
    }

    private void Forget()
    {
        _connection?.Dispose();
        _connection = null;
        _seen = null;
        _stamp = null;
    }

    /// <summary>Closes the connection held on the store.</summary>
    public void Dispose() => Forget();
}
