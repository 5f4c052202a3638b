using System.Globalization;
using Microsoft.Data.Sqlite;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

public sealed partial class PersistentClient
{
    /// <summary>
    /// Writes a self-consistent copy of the store into <paramref name="folder"/> (new or empty) while writes go on:
    /// the database through SQLite's online backup in one read transaction (so exactly the changes up to one
    /// sequence number, no writer waits), then, per collection, the newest index checkpoint not newer than that
    /// sequence. Such a checkpoint is always usable with the copied database: the change log is pruned only up to
    /// the oldest checkpoint kept, so the copy's log holds every change after it, and opening the copy replays them.
    /// </summary>
    /// <remarks>
    /// On a read-only client (<see cref="OpenReadOnly"/>) the snapshot is of the store file as it is now (a new read
    /// transaction on a <c>Mode=ReadOnly</c> connection), not of the client's view as of its open. The writer, in another
    /// client, may prune the matching checkpoint while it is copied, so every checkpoint is opened before the database copy
    /// and the newest one that the copy's log can bring forward (the writer records the log floor with each prune) is
    /// copied from its open handle. Only when the writer wrote two newer checkpoints in that instant, or the store was
    /// last pruned by a build that kept no floor, is the whole snapshot taken again, up to
    /// <see cref="ReadOnlySnapshotAttempts"/> times, before a <see cref="StoreException"/> says so.
    /// </remarks>
    /// <exception cref="IOException">The folder is not empty, or cannot be written.</exception>
    /// <exception cref="StoreException">Read-only client: the writer replaced checkpoints faster than a snapshot could copy one, every attempt.</exception>
    /// <param name="folder">Where to write the copy: a new or empty folder.</param>
    /// <param name="sampleIds">How many record ids per collection to pick at random for <see cref="CollectionSnapshot.SampleIds"/>.</param>
    public StoreSnapshot CreateSnapshot(string folder, int sampleIds = 8)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleIds);
        ThrowIfDisposed();
        folder = System.IO.Path.GetFullPath(folder);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new IOException($"{folder}: the snapshot folder must be new or empty.");
        var layout = new StoreLayout(folder);
        if (!IsReadOnly)
            return CreateSnapshotOnce(layout, sampleIds, out _);
        var missed = new List<string>();
        for (int attempt = 1; attempt <= ReadOnlySnapshotAttempts; attempt++)
        {
            var snapshot = CreateSnapshotOnce(layout, sampleIds, out var pruned);
            if (pruned.Count == 0)
                return snapshot;
            missed.AddRange(pruned);
            WriteLog($"snapshot attempt {attempt}: the writer pruned the checkpoint of {string.Join(", ", pruned)} while it was copied; taking the snapshot again");
            foreach (string entry in Directory.EnumerateFileSystemEntries(folder))
            {
                if (Directory.Exists(entry))
                    Directory.Delete(entry, recursive: true);
                else
                    File.Delete(entry);
            }
        }
        throw new StoreException(string.Create(CultureInfo.InvariantCulture,
            $"{Path}: a read-only snapshot failed {ReadOnlySnapshotAttempts} times: the writer replaced the checkpoints of {string.Join(", ", missed.Distinct(StringComparer.Ordinal))} faster than they could be copied; try again, or back up through the writer's client."));
    }

    /// <summary>
    /// A short token that changes whenever the store's content does: the change log's sequence number (every record
    /// added, changed or deleted advances it) and a digest of the collections table (so a collection created, dropped,
    /// renamed or given new metadata, none of which writes the change log, changes it too), read in one read
    /// transaction on a <c>Mode=ReadOnly</c> connection. Cheap (no client is opened, no index loaded, no lock taken),
    /// so a scheduler can skip a backup of a store unchanged since its last one: two equal stamps read at two moments
    /// mean the same committed content (no record changed in between, and the same collections with the same names,
    /// options and metadata; an empty collection created and dropped again in between leaves the same stamp). Nothing
    /// else may be read from it.
    /// </summary>
    /// <exception cref="StoreException">The folder is not a store, or its database cannot be read.</exception>
    public static string ReadChangeStamp(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var layout = new StoreLayout(path);
        if (!File.Exists(layout.DatabaseFile))
            throw new StoreException($"{layout.Root}: not a store (no store.db).");
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = layout.DatabaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 }.ToString());
            connection.Open();
            return ReadChangeStamp(connection);
        }
        catch (SqliteException e)
        {
            throw ChangeStampFailed(layout.Root, e);
        }
    }

    /// <summary>The change stamp (see <see cref="ReadChangeStamp(string)"/>) read on an open connection to a store's database, in one read transaction.</summary>
    internal static string ReadChangeStamp(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: true);
        long sequence = ContentQueries.Sequence(connection, transaction);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT * FROM collections ORDER BY id;";
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                for (int i = 0; i < reader.FieldCount; i++)
                {
                    // Each value with its length, so no two different rows hash alike by shifting a boundary.
                    string text = reader.IsDBNull(i) ? "\0" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "";
                    hash.AppendData(System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{text.Length}:{text};")));
                }
                hash.AppendData("\n"u8);
            }
        }
        return string.Create(CultureInfo.InvariantCulture, $"{sequence}-{Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16))}");
    }

    internal static StoreException ChangeStampFailed(string folder, SqliteException e) => new($"{folder}: cannot read the store's change stamp: {e.Message}", e);

    /// <summary>
    /// Opens a read of the store's content in place (<see cref="StoreReadView"/>): one read transaction on the store's
    /// database, so every read through the view sees one change sequence while writes go on, and no file is copied.
    /// For what needs the records but not the files (an incremental backup diffs records against its parent's state);
    /// a full backup needs <see cref="CreateSnapshot"/>. On a read-only client, as with <see cref="CreateSnapshot"/>,
    /// the view is of the store file as it is now, not of the client's view as of its open.
    /// </summary>
    /// <param name="sampleIds">How many record ids per collection to pick at random for <see cref="CollectionSnapshot.SampleIds"/>.</param>
    /// <exception cref="StoreCorruptException">The database file is damaged.</exception>
    public StoreReadView OpenReadView(int sampleIds = 8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleIds);
        ThrowIfDisposed();
        return Database.Run(() => new StoreReadView(IsReadOnly ? Database.OpenSource() : Database.OpenReader(), Layout.DatabaseFile, sampleIds));
    }

    /// <summary>How many times a read-only client's <see cref="CreateSnapshot"/> is taken before it gives up on a writer pruning checkpoints under it.</summary>
    public const int ReadOnlySnapshotAttempts = 4;

    /// <summary>One snapshot attempt; <paramref name="pruned"/> (read-only client) names the collections whose checkpoints were all newer than the snapshot (the one matching it was pruned meanwhile).</summary>
    private StoreSnapshot CreateSnapshotOnce(StoreLayout layout, int sampleIds, out List<string> pruned)
    {
        string folder = layout.Root;
        pruned = [];
        Directory.CreateDirectory(layout.CollectionsFolder);
        // A read-only client cannot stop the writer from pruning checkpoints, so it opens every checkpoint before the
        // database copy: an open file stays readable after the writer deletes it, and the copy's log floor says
        // whether a held one can still be brought forward by that copy's log.
        using var held = IsReadOnly ? HeldCheckpoints.Open(Layout) : null;

        Database.Run(() =>
        {
            // A read-only client backs up the file itself, not its in-memory copy as of the open.
            using var source = IsReadOnly ? Database.OpenSource() : Database.OpenReader();
            using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = layout.DatabaseFile, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            copy.Open();
            source.BackupDatabase(copy);
            // One self-contained file: the copy inherits WAL mode from the source's header; a store opened on it switches back.
            using var command = copy.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=DELETE;";
            command.ExecuteNonQuery();
        });

        long sequence;
        List<CollectionSnapshot> found;
        using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = layout.DatabaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            copy.Open();
            sequence = ContentQueries.Sequence(copy, null);
            found = ContentQueries.Collections(copy, null, sampleIds);
        }

        var files = new List<string> { "store.db" };
        var collections = new List<CollectionSnapshot>(found.Count);
        foreach (var collection in found)
        {
            long id = collection.Id;
            Directory.CreateDirectory(layout.CollectionFolder(id));
            string? copied = CopyCheckpoint(id, sequence, layout);
            if (copied is null && held is not null && LogFloor(layout, id) is long floor)
                copied = held.CopyNewest(id, floor, sequence, layout);
            if (copied is not null)
                files.Add(copied);
            else if (IsReadOnly && Layout.Checkpoints(id).Count > 0)
                pruned.Add($"collection '{collection.Name}'");
            collections.Add(collection with { CheckpointFile = copied });
        }
        return new StoreSnapshot(folder, sequence, collections, files);
    }

    /// <summary>The copy's log floor of a collection (its log holds every change after it), or null when the store has not recorded one.</summary>
    private static long? LogFloor(StoreLayout snapshot, long id)
    {
        using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = snapshot.DatabaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        copy.Open();
        using var command = copy.CreateCommand();
        command.CommandText = "SELECT value FROM store_info WHERE key = @k;";
        command.Parameters.AddWithValue("@k", StoreDatabase.LogFloorKey(id));
        return command.ExecuteScalar() is string value && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long floor) ? floor : null;
    }

    /// <summary>Open handles on the checkpoints present before a read-only snapshot's database copy.</summary>
    private sealed class HeldCheckpoints : IDisposable
    {
        private readonly List<(long Collection, long Sequence, FileStream File)> _files = [];

        public static HeldCheckpoints Open(StoreLayout layout)
        {
            var held = new HeldCheckpoints();
            try
            {
                foreach (var (id, _) in layout.CollectionFolders())
                {
                    IReadOnlyList<(long Sequence, string Path)> checkpoints;
                    try
                    {
                        checkpoints = layout.Checkpoints(id);
                    }
                    catch (DirectoryNotFoundException)
                    {
                        continue; // the collection was deleted meanwhile
                    }
                    foreach (var (sequence, path) in checkpoints)
                    {
                        try
                        {
                            held._files.Add((id, sequence, new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete)));
                        }
                        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                        {
                            // pruned between the listing and the open: a newer one is held
                        }
                    }
                }
            }
            catch
            {
                held.Dispose();
                throw;
            }
            return held;
        }

        /// <summary>Copies the newest held checkpoint of the collection within [<paramref name="floor"/>, <paramref name="sequence"/>]; null when none is.</summary>
        public string? CopyNewest(long id, long floor, long sequence, StoreLayout snapshot)
        {
            var best = _files.Where(f => f.Collection == id && f.Sequence >= floor && f.Sequence <= sequence)
                .OrderByDescending(f => f.Sequence).FirstOrDefault();
            if (best.File is null)
                return null;
            string destination = snapshot.CheckpointFile(id, best.Sequence);
            best.File.Position = 0;
            using (var output = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None))
                best.File.CopyTo(output);
            return "collections/" + id.ToString(CultureInfo.InvariantCulture) + "/" + System.IO.Path.GetFileName(destination);
        }

        public void Dispose()
        {
            foreach (var file in _files)
                file.File.Dispose();
            _files.Clear();
        }
    }

    /// <summary>Copies the newest checkpoint of the collection not newer than <paramref name="sequence"/>; returns its relative path, or null when there is none.</summary>
    private string? CopyCheckpoint(long id, long sequence, StoreLayout snapshot)
    {
        // A checkpoint can be deleted between listing and copying (two newer ones were written meanwhile): list again.
        for (int attempt = 0; attempt < 8; attempt++)
        {
            (long Sequence, string Path) candidate;
            try
            {
                candidate = Layout.Checkpoints(id).FirstOrDefault(c => c.Sequence <= sequence);
            }
            catch (DirectoryNotFoundException)
            {
                return null; // the collection was deleted after the snapshot's database copy
            }
            if (candidate.Path is null)
                return null;
            string destination = snapshot.CheckpointFile(id, candidate.Sequence);
            try
            {
                File.Copy(candidate.Path, destination, overwrite: true);
                return "collections/" + id.ToString(CultureInfo.InvariantCulture) + "/" + System.IO.Path.GetFileName(destination);
            }
            catch (FileNotFoundException)
            {
            }
            catch (DirectoryNotFoundException)
            {
                return null;
            }
        }
        return null;
    }
}
