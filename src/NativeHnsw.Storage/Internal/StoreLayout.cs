using System.Globalization;

namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The one place that names every file of a store (Tsavorite's checkpoint naming scheme, in spirit):
/// <code>
/// &lt;store&gt;/LOCK                                         held open exclusively by the client that has the store
/// &lt;store&gt;/store.db (+ -wal, -shm)                      SQLite: collections, records, change log
/// &lt;store&gt;/collections/&lt;id&gt;/index-&lt;seq:D20&gt;.nhnsw   HNSW checkpoint holding every change up to seq
/// </code>
/// A zero-padded sequence makes names sort in sequence order; <see cref="HnswIndex.Save"/> writes its temporary
/// files as <c>.index-….tmp</c> beside the target, and killed saves leave them behind for the next open to remove.
/// </summary>
internal sealed class StoreLayout
{
    private const string CheckpointPrefix = "index-";
    private const string CheckpointSuffix = ".nhnsw";

    public StoreLayout(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string LockFile => Path.Combine(Root, StoreFolder.LockFileName);

    public string DatabaseFile => Path.Combine(Root, StoreFolder.DatabaseFileName);

    public string CollectionsFolder => Path.Combine(Root, "collections");

    public string CollectionFolder(long collectionId) => Path.Combine(CollectionsFolder, collectionId.ToString(CultureInfo.InvariantCulture));

    public string CheckpointFile(long collectionId, long sequence) =>
        Path.Combine(CollectionFolder(collectionId), CheckpointPrefix + sequence.ToString("D20", CultureInfo.InvariantCulture) + CheckpointSuffix);

    /// <summary>The collection's checkpoints, newest (highest sequence) first.</summary>
    public IReadOnlyList<(long Sequence, string Path)> Checkpoints(long collectionId)
    {
        string folder = CollectionFolder(collectionId);
        if (!Directory.Exists(folder))
            return [];
        var found = new List<(long, string)>();
        foreach (string file in Directory.EnumerateFiles(folder, CheckpointPrefix + "*" + CheckpointSuffix))
        {
            var name = Path.GetFileName(file.AsSpan());
            var digits = name[CheckpointPrefix.Length..^CheckpointSuffix.Length];
            if (digits.Length == 20 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
                found.Add((sequence, file));
        }
        found.Sort((a, b) => b.Item1.CompareTo(a.Item1));
        return found;
    }

    /// <summary>Temporary files of saves that never finished (a crash mid-checkpoint).</summary>
    public IEnumerable<string> AbandonedTemporaryFiles(long collectionId)
    {
        string folder = CollectionFolder(collectionId);
        return Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "." + CheckpointPrefix + "*.tmp") : [];
    }

    /// <summary>Collection folders present on disk, by id (a folder whose collection is gone is removed on open).</summary>
    public IEnumerable<(long Id, string Path)> CollectionFolders()
    {
        if (!Directory.Exists(CollectionsFolder))
            yield break;
        foreach (string dir in Directory.EnumerateDirectories(CollectionsFolder))
        {
            if (long.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out long id))
                yield return (id, dir);
        }
    }
}
