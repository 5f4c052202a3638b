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
    /// <exception cref="IOException">The folder is not empty, or cannot be written.</exception>
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
        Directory.CreateDirectory(layout.CollectionsFolder);

        Database.Run(() =>
        {
            using var source = Database.OpenReader();
            using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = layout.DatabaseFile, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            copy.Open();
            source.BackupDatabase(copy);
            // One self-contained file: the copy inherits WAL mode from the source's header; a store opened on it switches back.
            using var command = copy.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=DELETE;";
            command.ExecuteNonQuery();
        });

        long sequence;
        var found = new List<(string Name, long Id, CollectionOptions Options, long Records, List<string> Samples)>();
        using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = layout.DatabaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            copy.Open();
            sequence = StoreDatabase.Scalar<long>(copy, "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0);");
            using var command = copy.CreateCommand();
            command.CommandText = """
                SELECT c.id, c.name, c.dimensions, c.metric, c.m, c.ef_construction, c.default_ef, c.seed,
                       (SELECT COUNT(*) FROM records r WHERE r.collection = c.id)
                FROM collections c ORDER BY c.name;
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var options = new CollectionOptions
                {
                    Dimensions = reader.GetInt32(2),
                    Metric = (DistanceMetric)reader.GetInt32(3),
                    M = reader.GetInt32(4),
                    EfConstruction = reader.GetInt32(5),
                    DefaultEf = reader.GetInt32(6),
                    Seed = unchecked((ulong)reader.GetInt64(7)),
                };
                found.Add((reader.GetString(1), reader.GetInt64(0), options, reader.GetInt64(8), []));
            }
            reader.Close();
            foreach (var collection in found)
            {
                using var sample = copy.CreateCommand();
                sample.CommandText = "SELECT id FROM records WHERE collection = @c ORDER BY random() LIMIT @n;";
                sample.Parameters.AddWithValue("@c", collection.Id);
                sample.Parameters.AddWithValue("@n", sampleIds);
                using var ids = sample.ExecuteReader();
                while (ids.Read())
                    collection.Samples.Add(ids.GetString(0));
                collection.Samples.Sort(StringComparer.Ordinal);
            }
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var files = new List<string> { "store.db" };
        var collections = new List<CollectionSnapshot>(found.Count);
        foreach (var (name, id, options, records, samples) in found)
        {
            Directory.CreateDirectory(layout.CollectionFolder(id));
            string? copied = CopyCheckpoint(id, sequence, layout);
            if (copied is not null)
                files.Add(copied);
            collections.Add(new CollectionSnapshot(name, id, options, records, samples, copied));
        }
        return new StoreSnapshot(folder, sequence, collections, files);
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
