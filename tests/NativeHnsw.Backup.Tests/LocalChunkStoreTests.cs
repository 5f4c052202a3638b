namespace NativeHnsw.Backup.Tests;

/// <summary>
/// A local target's chunks are renamed into place only by <see cref="IChunkStore.Flush"/>, after their fsync: until
/// then they are temporary files that reads find, that a second put does not write again, and that a kill leaves for
/// a prune to sweep.
/// </summary>
public sealed class LocalChunkStoreTests
{
    [Fact]
    public void Put_IsPendingUntilFlush_ReadableAndStoredOnce_ThenInPlace()
    {
        using var dir = new TempDirectory();
        var store = new LocalFolderTarget(dir.File("backups")).Chunks;
        var (key, framed) = Chunk(1);

        Assert.True(store.Put(key, framed));
        Assert.False(store.Put(key, framed), "a pending key is not stored twice");

        // Not in place yet: a kill now would leave only the temporary file, which another store does not list.
        Assert.Equal([key + ".tmp"], Files(dir).Select(f => StripTag(Path.GetFileName(f))));
        Assert.Empty(new LocalFolderTarget(dir.File("backups")).Chunks.List());
        // This store lists and reads it: it is durable in place before any manifest that lists it.
        Assert.Equal([key], store.List().Select(c => c.Sha256));
        Assert.Equal(framed, store.TryRead(key));

        store.Flush();

        Assert.Equal([key], store.List().Select(c => c.Sha256));
        Assert.Equal([key], Files(dir).Select(Path.GetFileName));
        Assert.Equal(framed, store.TryRead(key));
        Assert.False(store.Put(key, framed), "a key in place is not stored again");
        store.Flush();
        Assert.Single(Files(dir));
    }

    [Fact]
    public void PutPack_DataAndIndexPendingUntilFlush_ThenListedAndRead()
    {
        using var dir = new TempDirectory();
        var store = new LocalFolderTarget(dir.File("backups")).Chunks;
        var (a, framedA) = Chunk(2);
        var (b, framedB) = Chunk(3);
        byte[] data = [.. framedA, .. framedB];
        string name = ChunkCodec.Key(data);
        byte[] index = PackIndex.Encode(data.Length, [new PackedChunk(a, 0, framedA.Length), new PackedChunk(b, framedA.Length, framedB.Length)]);

        store.PutPack(name, data, index);

        Assert.All(Files(dir), f => Assert.EndsWith(".tmp", f, StringComparison.Ordinal));
        Assert.Empty(new LocalFolderTarget(dir.File("backups")).Chunks.ListPacks());
        Assert.Equal(name, Assert.Single(store.ListPacks()).Name);
        Assert.Equal(framedB, store.TryRead(b));
        store.Flush();
        Assert.Equal([name + ".idx", name + ".pack"], Files(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var fresh = new LocalFolderTarget(dir.File("backups")).Chunks;
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), fresh.List().Select(c => c.Sha256).Order(StringComparer.Ordinal));
        Assert.Equal(framedA, fresh.TryRead(a));
    }

    [Fact]
    public void Flush_AnotherWriterPutTheKeyInPlaceMeanwhile_KeepsTheirsAndRemovesTheCopy()
    {
        using var dir = new TempDirectory();
        var ours = new LocalFolderTarget(dir.File("backups")).Chunks;
        var theirs = new LocalFolderTarget(dir.File("backups")).Chunks;
        var (key, framed) = Chunk(4);
        Assert.True(ours.Put(key, framed));
        Assert.True(theirs.Put(key, framed));
        theirs.Flush();

        ours.Flush();

        Assert.Equal([key], Files(dir).Select(Path.GetFileName));
        Assert.Equal(framed, ours.TryRead(key));
    }

    [Fact]
    public void ConcurrentPutsOfTheSameKeys_EachReadWholeAfterItsPut_InPlaceAfterEachFlush()
    {
        using var dir = new TempDirectory();
        var store = new LocalFolderTarget(dir.File("backups")).Chunks;
        var chunks = Enumerable.Range(10, 40).Select(Chunk).ToArray();
        var stored = new int[chunks.Length];

        // Four "backups" put the same chunks in different orders, each reading back every chunk after its put (the
        // one that wins the put may still be writing it) and flushing before it checks that each is in place.
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, writer =>
        {
            foreach (int i in Enumerable.Range(0, chunks.Length).OrderBy(i => (i * (writer + 3)) % chunks.Length))
            {
                var (key, framed) = chunks[i];
                if (store.Put(key, framed))
                    Interlocked.Increment(ref stored[i]);
                Assert.Equal(framed, store.TryRead(key));
            }
            store.Flush();
            var inPlace = new LocalFolderTarget(dir.File("backups")).Chunks.List().Select(c => c.Sha256).ToHashSet(StringComparer.Ordinal);
            Assert.All(chunks, c => Assert.Contains(c.Key, inPlace));
        });

        Assert.All(stored, n => Assert.Equal(1, n));
        Assert.Equal(chunks.Length, Files(dir).Length);
    }

    private static (string Key, byte[] Framed) Chunk(int seed)
    {
        var bytes = new byte[5000];
        new Random(seed).NextBytes(bytes);
        return (ChunkCodec.Key(bytes), ChunkCodec.Encode(bytes, compress: false));
    }

    /// <summary>Every file under the chunk folders (not the leases).</summary>
    private static string[] Files(TempDirectory dir) =>
        Directory.EnumerateFiles(Path.Combine(dir.File("backups"), ".chunks"), "*", SearchOption.AllDirectories).Where(f => !f.Contains("leases", StringComparison.Ordinal)).ToArray();

    /// <summary><c>KEY.1234abcd.tmp</c> → <c>KEY.tmp</c>.</summary>
    private static string StripTag(string name) => name[..name.IndexOf('.', StringComparison.Ordinal)] + ".tmp";
}
