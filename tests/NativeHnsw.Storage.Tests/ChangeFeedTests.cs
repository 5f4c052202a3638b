using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace NativeHnsw.Storage.Tests;

/// <summary>The shipping log: written only while enabled, every kind of commit with its values, kept until shipped.</summary>
public sealed class ChangeFeedTests
{
    private static readonly DateTimeOffset s_origin = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Log_NotEnabled_WritesNothing_EnabledBesideAnOpenWriter_LogsItsNextCommit()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(s_origin);
        using var client = new PersistentClient(dir.Path, new StoreOptions { TimeProvider = time });
        var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
        docs.Upsert("a", [1f, 2f]);
        using var feed = ChangeFeed.Open(dir.Path);
        Assert.False(feed.IsEnabled);
        Assert.Equal(0, feed.LastSequence());

        long watermark = feed.Enable(time);
        Assert.Equal(watermark + 1, feed.LastSequence()); // the marker commit
        time.Advance(TimeSpan.FromSeconds(3));
        docs.Upsert("b", [3f, 4f]); // the writer was not reopened
        var commits = feed.Read(watermark, 100, long.MaxValue);
        Assert.Equal(2, commits.Count);
        Assert.Equal(s_origin.AddSeconds(3), commits[1].CommittedAt);
    }

    [Fact]
    public void Log_HoldsDocumentOnlyUpdates_Renames_AndCollectionChanges_AndAppliesThemExactly()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(s_origin);
        string source = dir.File("source");
        Directory.CreateDirectory(source);
        using var client = new PersistentClient(source, new StoreOptions { TimeProvider = time });
        using var feed = ChangeFeed.Open(source);
        long start = feed.Enable(time);
        var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2, Metric = DistanceMetric.L2 }, new Dictionary<string, object?> { ["k"] = 1L });
        docs.Upsert(["a", "b"], [[1f, 2f], [3f, 4f]], ["doc a", null], [new Dictionary<string, object?> { ["n"] = 1L, ["f"] = 0.5 }, null]);
        docs.Update(["a"], null, ["new doc"], [new Dictionary<string, object?> { ["n"] = null, ["s"] = "x" }]);
        docs.Delete(["b"]);
        docs.Modify("renamed", new Dictionary<string, object?>());
        client.CreateCollection("other", new CollectionOptions { Dimensions = 3 });
        client.DeleteCollection("other");
        var commits = feed.Read(start, 100, long.MaxValue);
        Assert.Equal(8, commits.Count); // marker + 7 commits

        string copy = dir.File("copy");
        using (var replayed = new PersistentClient(copy))
        {
            foreach (var commit in commits)
                ChangeFeed.Apply(replayed, commit);
            Assert.Equal(["renamed"], replayed.ListCollections());
            var renamed = replayed.GetCollection("renamed");
            Assert.Null(renamed.Metadata);
            Assert.Equal(DistanceMetric.L2, renamed.Options.Metric);
            var a = Assert.Single(renamed.Get(include: Include.All));
            Assert.Equal("a", a.Id);
            Assert.Equal("new doc", a.Document);
            Assert.Equal([1f, 2f], a.Embedding!);
            Assert.Equal(new Dictionary<string, object> { ["f"] = 0.5, ["s"] = "x" }, a.Metadata);
        }
    }

    [Fact]
    public void MarkShipped_DeletesShippedRows_ButKeepsTheNewest_AndNeverGoesBack()
    {
        using var dir = new TempDirectory();
        using var client = new PersistentClient(dir.Path);
        var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
        using var feed = ChangeFeed.Open(dir.Path);
        long start = feed.Enable();
        for (int i = 0; i < 5; i++)
            docs.Upsert("r" + i, [i, 1f]);
        long last = feed.LastSequence();
        feed.MarkShipped(last);
        Assert.Equal(last, feed.Shipped);
        Assert.Equal(last, feed.LastSequence()); // the newest row stays: a snapshot reads its position from it
        Assert.Empty(feed.Read(last, 10, long.MaxValue));
        feed.MarkShipped(start);
        Assert.Equal(last, feed.Shipped);
        var e = Assert.Throws<StoreException>(() => feed.Read(start, 10, long.MaxValue));
        Assert.Contains("removed before they were shipped", e.Message, StringComparison.Ordinal);

        client.Dispose();
        var position = ChangeFeed.ReadPosition(dir.Path);
        Assert.True(position.Enabled);
        Assert.Equal(last, position.Sequence);
        ChangeFeed.Disable(dir.Path);
        Assert.Equal(new ChangeFeedPosition(false, 0, null), ChangeFeed.ReadPosition(dir.Path));
    }
    [Fact]
    public void Checkpoints_AndCollectionDeletion_KeepUnshippedEntries_WhichAreNotReplayedAsRecords()
    {
        using var dir = new TempDirectory();
        long start;
        List<LoggedCommit> before;
        using (var client = new PersistentClient(dir.Path))
        {
            var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
            var gone = client.CreateCollection("gone", new CollectionOptions { Dimensions = 2 });
            using var feed = ChangeFeed.Open(dir.Path);
            start = feed.Enable();
            for (int i = 0; i < 6; i++)
            {
                docs.Upsert("r" + i, [i, 1f]);
                gone.Upsert("g" + i, [1f, i]);
                // Two checkpoints prune the changes up to the older one: every record change so far, not the log.
                if (i % 2 == 1)
                    docs.Checkpoint();
            }
            docs.Delete(["r0"]);
            client.DeleteCollection("gone");
            before = [.. feed.Read(start, 1000, long.MaxValue)];
            Assert.Equal(1 + 12 + 2, before.Count); // marker, 12 upserts, the delete, the collection deletion
            Assert.Equal(Enumerable.Range(1, before.Count).Select(i => start + i), before.Select(c => c.Sequence));
        }
        using (var reopened = new PersistentClient(dir.Path))
        {
            var docs = reopened.GetCollection("docs");
            Assert.Equal(5, docs.Count());
            Assert.Equal("r3", docs.Query([3f, 1f], 1)[0].Id);
            Assert.Equal(["docs"], reopened.ListCollections());
        }
        using var again = ChangeFeed.Open(dir.Path);
        Assert.Equal(before.Select(c => (c.Sequence, c.CommittedAt)), again.Read(start, 1000, long.MaxValue).Select(c => (c.Sequence, c.CommittedAt)));
    }

    [Fact]
    public void Disable_ThenEnable_NumbersOnFromTheLastSequence()
    {
        using var dir = new TempDirectory();
        long last;
        using (var client = new PersistentClient(dir.Path))
        {
            var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
            using var feed = ChangeFeed.Open(dir.Path);
            feed.Enable();
            docs.Upsert("a", [1f, 2f]);
            last = feed.LastSequence();
        }
        ChangeFeed.Disable(dir.Path);
        using (var client = new PersistentClient(dir.Path))
        {
            var docs = client.GetCollection("docs");
            docs.Upsert("b", [2f, 2f]); // not logged
            using var feed = ChangeFeed.Open(dir.Path);
            Assert.Equal(0, feed.LastSequence());
            Assert.Equal(last, feed.Enable()); // the marker is last + 1: no sequence is used twice
            docs.Upsert("c", [3f, 2f]);
            Assert.Equal([last + 1, last + 2], feed.Read(last, 10, long.MaxValue).Select(c => c.Sequence));
        }
    }

    [Fact]
    public void Open_Version4Store_MovesItsShipLogIntoChanges_TheLogGoesOnWithNoGap()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(s_origin);
        long start;
        List<LoggedCommit> logged;
        using (var client = new PersistentClient(dir.Path, new StoreOptions { TimeProvider = time }))
        {
            var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
            using var feed = ChangeFeed.Open(dir.Path);
            start = feed.Enable(time);
            for (int i = 0; i < 4; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                docs.Upsert("r" + i, [i, 1f], "doc " + i);
            }
            feed.MarkShipped(start + 2); // leaves commits start+3 … start+5
            logged = [.. feed.Read(start + 2, 100, long.MaxValue)];
        }
        // Back to what format 4 wrote: the log in a table of its own, with AUTOINCREMENT.
        using (var connection = Open(dir.Path))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE ship_log(seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, body BLOB NOT NULL);
                INSERT INTO ship_log(seq, at, body) SELECT ship_seq, at, body FROM changes WHERE ship_seq IS NOT NULL ORDER BY seq;
                DELETE FROM changes WHERE ship_seq IS NOT NULL;
                DROP INDEX changes_by_collection; CREATE INDEX changes_by_collection ON changes(collection, seq);
                ALTER TABLE changes DROP COLUMN ship_seq; ALTER TABLE changes DROP COLUMN at; ALTER TABLE changes DROP COLUMN body;
                UPDATE store_info SET value = '4' WHERE key = 'format_version';
                """;
            command.ExecuteNonQuery();
        }
        var refused = Assert.Throws<StoreException>(() => ChangeFeed.Open(dir.Path));
        Assert.Contains("store format version 4", refused.Message, StringComparison.Ordinal);

        using (var client = new PersistentClient(dir.Path, new StoreOptions { TimeProvider = time }))
        {
            var docs = client.GetCollection("docs");
            Assert.Equal(4, docs.Count());
            Assert.Equal("doc 2", docs.Get(["r2"], include: Include.All)[0].Document);
            using var feed = ChangeFeed.Open(dir.Path);
            Assert.Equal(start + 2, feed.Shipped);
            var moved = feed.Read(start + 2, 100, long.MaxValue);
            Assert.Equal(logged.Select(c => (c.Sequence, c.CommittedAt)), moved.Select(c => (c.Sequence, c.CommittedAt)));
            Assert.Equal(logged.Select(c => c.Body), moved.Select(c => c.Body));
            time.Advance(TimeSpan.FromSeconds(1));
            docs.Upsert("r9", [9f, 1f]);
            var next = feed.Read(logged[^1].Sequence, 100, long.MaxValue);
            Assert.Equal(logged[^1].Sequence + 1, Assert.Single(next).Sequence);
            using var reader = client.Database.OpenReader();
            using var check = reader.CreateCommand();
            check.CommandText = "SELECT (SELECT COUNT(*) FROM sqlite_master WHERE name = 'ship_log'), (SELECT value FROM store_info WHERE key = 'format_version');";
            using var row = check.ExecuteReader();
            Assert.True(row.Read());
            Assert.Equal(0, row.GetInt64(0));
            Assert.Equal("5", row.GetString(1));
        }
        Assert.Contains("WHERE ship_seq IS NULL", ChangeIndexSql(dir.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void Open_StoreWithTheFullChangeIndex_MakesItPartial_AndTheCollectionQueriesUseIt()
    {
        using var dir = new TempDirectory();
        long start;
        using (var client = new PersistentClient(dir.Path))
        {
            var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 2 });
            using (var feed = ChangeFeed.Open(dir.Path))
                start = feed.Enable();
            for (int i = 0; i < 5; i++)
                docs.Upsert("r" + i, [i, 1f], metadata: new Dictionary<string, object?> { ["i"] = (long)i });
        }
        // As format 5 stores were made before the index was partial: entries in it too.
        using (var connection = Open(dir.Path))
            Run(connection, "DROP INDEX changes_by_collection; CREATE INDEX changes_by_collection ON changes(collection, seq);");
        // A read-only open leaves it alone and reads as before.
        using (var reading = PersistentClient.OpenReadOnly(dir.Path))
            Assert.Equal(5, reading.GetCollection("docs").Count());
        Assert.DoesNotContain("WHERE", ChangeIndexSql(dir.Path), StringComparison.Ordinal);

        using (var client = new PersistentClient(dir.Path))
        {
            Assert.Equal(5, client.GetCollection("docs").Count());
            using var feed = ChangeFeed.Open(dir.Path);
            Assert.Equal(6, feed.Read(start, 100, long.MaxValue).Count); // the log's start entry and the five upserts' entries, all kept
        }
        Assert.Contains("WHERE ship_seq IS NULL", ChangeIndexSql(dir.Path), StringComparison.Ordinal);
        // The queries that find change rows by collection (replay, checkpoint pruning, the newest change, a collection's
        // deletion), as Collection and PersistentClient run them, search the partial index rather than scan.
        using var check = Open(dir.Path);
        foreach (string query in new[]
        {
            "SELECT COALESCE(MAX(seq), 0) FROM changes WHERE collection = 1 AND ship_seq IS NULL",
            "SELECT DISTINCT record FROM changes WHERE collection = 1 AND seq > 2 AND ship_seq IS NULL",
            "DELETE FROM changes WHERE collection = 1 AND seq <= 2 AND ship_seq IS NULL",
            "DELETE FROM changes WHERE collection = 1 AND ship_seq IS NULL",
        })
        {
            using var plan = check.CreateCommand();
            plan.CommandText = "EXPLAIN QUERY PLAN " + query;
            using var rows = plan.ExecuteReader();
            var details = new List<string>();
            while (rows.Read())
                details.Add(rows.GetString(3));
            Assert.True(details.Any(d => d.Contains("INDEX changes_by_collection", StringComparison.Ordinal)), $"{query}: {string.Join("; ", details)}");
        }
    }

    private static SqliteConnection Open(string store)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(store, "store.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string ChangeIndexSql(string store)
    {
        using var connection = Open(store);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'changes_by_collection';";
        return (string)command.ExecuteScalar()!;
    }
    [Fact]
    public void LoggedOneRecordCommit_WritesNoExtraPage()
    {
        // What a log entry costs a commit is mostly the pages it dirties (each one more WAL frame to write, checksum and
        // checkpoint): format 4's ship_log table added about 1.1 frames to the 7.7 of a one-record add; an entry in the
        // changes leaf the commit already writes adds only its bytes' share of new pages.
        double off = FramesPerCommit(ship: false);
        double logged = FramesPerCommit(ship: true);
        Assert.True(logged - off < 0.5, $"{off:F2} frames per commit with shipping off, {logged:F2} with it on");
    }

    [Fact]
    public void LoggedMetadataOnlyCommit_WritesTwoExtraPagesAtMost()
    {
        // A commit that changes no vector writes no change row, so its entry dirties pages of its own: the changes
        // table's last leaf and sqlite_sequence's (changes counts by AUTOINCREMENT). Entries are kept out of the index
        // changes_by_collection (a partial index over change rows), which was a third: 4.09 frames off, 7.32 logged
        // with the full index, 6.25 with the partial one.
        double off = FramesPerCommit(ship: false, metadataOnly: true);
        double logged = FramesPerCommit(ship: true, metadataOnly: true);
        Assert.True(logged - off < 2.5, $"{off:F2} frames per metadata-only commit with shipping off, {logged:F2} with it on");
    }

    [Fact]
    public void LoggedCommits_ThenClose_CloseTheDatabase()
    {
        // The log's statements are the writer's own: one left open past the close would keep SQLite's connection alive,
        // and with it the WAL, which the last connection's close checkpoints and removes.
        using var dir = new TempDirectory();
        using (var client = new PersistentClient(dir.Path))
        {
            var c = client.CreateCollection("c", new CollectionOptions { Dimensions = 4 });
            using (var feed = ChangeFeed.Open(dir.Path))
                feed.Enable();
            c.Add("a", [1f, 2f, 3f, 4f]);
            c.Delete(["a"]);
            Assert.True(File.Exists(Path.Combine(dir.Path, StoreFolder.DatabaseFileName + "-wal")));
        }
        Assert.False(File.Exists(Path.Combine(dir.Path, StoreFolder.DatabaseFileName + "-wal")), "the WAL outlived the store's close");
        using var reopened = ChangeFeed.Open(dir.Path);
        Assert.Equal(3, reopened.LastSequence());
    }

    private static double FramesPerCommit(bool ship, bool metadataOnly = false)
    {
        using var dir = new TempDirectory();
        using var client = new PersistentClient(dir.Path, new StoreOptions { Checkpoints = new CheckpointPolicy { EveryChanges = 0, Interval = null, OnDispose = false, AfterReplayOf = 0 } });
        var c = client.CreateCollection("c", new CollectionOptions { Dimensions = 64 });
        var random = new Random(1);
        void Add(int i) => c.Add("r" + i, [.. Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble())], metadata: new Dictionary<string, object?> { ["mod"] = (long)(i % 100) });
        for (int i = 0; i < 1000; i++)
            Add(i);
        if (ship)
        {
            using var feed = ChangeFeed.Open(dir.Path);
            feed.Enable();
        }
        // From an empty WAL that is never checkpointed, its length counts the frames written.
        client.Database.Execute("PRAGMA wal_checkpoint(TRUNCATE);");
        client.Database.Execute("PRAGMA wal_autocheckpoint=0;");
        const int commits = 400;
        for (int i = 1000; i < 1000 + commits; i++)
        {
            if (metadataOnly)
                c.Update(["r" + (i % 1000)], metadatas: [new Dictionary<string, object?> { ["mod"] = (long)i }]);
            else
                Add(i);
        }
        long wal = new FileInfo(Path.Combine(dir.Path, StoreFolder.DatabaseFileName + "-wal")).Length;
        const int header = 32, frame = 24 + 4096;
        return (wal - header) / (double)frame / commits;
    }
}
