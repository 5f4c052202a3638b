using System.Runtime.CompilerServices;
using NativeHnsw.Graph;
using NativeHnsw.IndexFiles;

namespace NativeHnsw;

public sealed partial class HnswIndex
{
    /// <summary>True for an index from <see cref="Open"/>: searches and label lookups work, changes throw <see cref="NotSupportedException"/>.</summary>
    public bool IsReadOnly => _storage.IsReadOnly;

    /// <summary>
    /// Writes the index to <paramref name="path"/> atomically (docs/FORMAT.md): a temporary file in the
    /// same folder is written, fsynced and renamed over the target, then the folder is fsynced. A crash
    /// at any instant leaves either the old file or the new one, whole.
    /// </summary>
    /// <remarks>
    /// The file is a consistent point-in-time view: searches keep running during the save, while adds,
    /// replacements, deletes and unmarks wait until it is written (they need the lock the save holds).
    /// The same index saved twice gives byte-identical files. A read-only (mapped) index can be saved too.
    /// A symbolic link is followed: its final target is replaced and the link kept (<see cref="IO.DurableFile"/>).
    /// </remarks>
    /// <exception cref="IOException">The file could not be written; the target is left as it was.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _growLock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            RunDeferredCheck();
            var storage = _storage;
            // The common bulk load (labels given in ascending order, none replaced) needs no label index in the file.
            bool labelsAscend = storage.LabelCount == _count && storage.LabelsAscend(_count);
            var labelIndex = labelsAscend ? default : storage.SortedLabelIndex();
            var upperIndex = storage.SparseUpperOffsets(_count);
            var quantizer = Volatile.Read(ref _quantizer);
            var layout = IndexHeader.ForIndex(_options, _count, storage.LabelCount, _deletedCount, _hiddenCount, _upperUsed, Volatile.Read(ref _entry),
                upperIndex.Length / 2, labelsAscend, quantizer is not null);
            IndexWriter.Write(path, layout, storage, labelIndex, upperIndex, quantizer);
        }
        finally
        {
            _growLock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Reads a whole index file into memory, checking every checksum and the graph's invariants.
    /// The result is a normal index: it can be searched, added to, deleted from and saved again.
    /// </summary>
    /// <exception cref="IndexFormatException">The file is missing, unreadable, of an unsupported version, truncated or damaged.</exception>
    public static HnswIndex Load(string path) => Load(path, LoadCheck.Full);

    /// <summary>
    /// Reads a whole index file into memory with the checks <paramref name="check"/> names: <see cref="LoadCheck.Full"/>
    /// (what <see cref="Load(string)"/> does) or <see cref="LoadCheck.Checksums"/>, which leaves the graph's invariants and
    /// the rows to the first change, save or export (which then throw <see cref="IndexFormatException"/> if they fail).
    /// </summary>
    /// <exception cref="IndexFormatException">The file is missing, unreadable, of an unsupported version, truncated or damaged.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static HnswIndex Load(string path, LoadCheck check)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(check))
            throw new ArgumentOutOfRangeException(nameof(check), check, "Unknown load check level.");
        var loaded = IndexReader.Read(path, buildsLabelMap: true, check);
        var header = loaded.Header;
        var storage = loaded.Storage;
        try
        {
            var index = new HnswIndex(header.Options, storage)
            {
                _count = header.NodeCount,
                _upperUsed = header.UpperUsed,
                _entry = header.PackedEntry,
                _hiddenCount = header.HiddenCount,
                _deletedCount = header.DeletedCount,
                _quantizer = loaded.Quantizer,
                _deferredCheck = check == LoadCheck.Full ? null : new DeferredCheck(path, header, loaded.LabelIndex, loaded.Quantizer),
            };
            if (header.ImplicitLabelIndex)
                storage.UseImplicitLabels(header.NodeCount);
            else if (storage.MapLabels(loaded.LabelIndex!, header.NodeCount) is int bad and >= 0)
            {
                var section = header.Section(SectionId.LabelIndex);
                throw new IndexFormatException(path, section.Name, section.Offset + (long)bad * sizeof(int),
                    $"entry {bad} names node {loaded.LabelIndex![bad]}, which is no node or holds a label an earlier entry's node holds");
            }
            return index;
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps an index file read-only and searches it in place: nothing is read or copied up front, so
    /// opening takes the same time for any size, and processes opening the same file share its pages.
    /// Only the header and the section table are checked; a damaged section can give wrong answers but
    /// never a read outside the mapping (use <see cref="Verify"/> for a full check). Dispose is safe
    /// while other threads search: the mapping is released after the last search ends.
    /// </summary>
    /// <exception cref="IndexFormatException">The file is missing, unreadable, of an unsupported version, or its header is damaged.</exception>
    public static HnswIndex Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var storage = MappedGraphStorage.Open(path);
        try
        {
            var header = storage.Header;
            return new HnswIndex(header.Options, storage)
            {
                _count = header.NodeCount,
                _upperUsed = header.UpperUsed,
                _entry = header.PackedEntry,
                _hiddenCount = header.HiddenCount,
                _deletedCount = header.DeletedCount,
                _quantizer = storage.Quantizer,
            };
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads what search reads of a mapped index into memory ahead of its first search, so that search pays no page
    /// faults: <see cref="Warm(WarmScope)"/> with <see cref="WarmScope.Search"/>.
    /// </summary>
    public void Warm() => Warm(WarmScope.Search);

    /// <summary>
    /// Reads a mapped index into memory ahead of its first search (on Linux: madvise WILLNEED for the scope, so the
    /// kernel reads it in parallel with us, then MADV_POPULATE_READ). The upper levels, the states and the entry
    /// point's level-0 neighbourhood come first, then, as <paramref name="scope"/> says, the level-0 links and the rows
    /// the walk measures, the labels, the rest of the file. Returns when the scope is resident, as far as memory allows
    /// (a file larger than free memory is warmed only in part). Does nothing for an index in memory (from the
    /// constructor or <see cref="Load(string)"/>). Safe beside searches and Dispose.
    /// </summary>
    /// <remarks>
    /// Costs one read of the scope at the disk's speed; without it, a cold first search pays a random read per page it
    /// touches (docs/FORMAT.md, "Cold start", has the figures).
    /// </remarks>
    public void Warm(WarmScope scope)
    {
        if (!Enum.IsDefined(scope))
            throw new ArgumentOutOfRangeException(nameof(scope), scope, "Use Search or File.");
        var storage = AcquireStorage();
        try
        {
            storage.Warm(scope);
        }
        finally
        {
            storage.Release();
        }
    }

    /// <summary>
    /// Tells the operating system how a mapped index will be read (madvise, on Linux). Advice is a hint the
    /// kernel may ignore; it never changes an answer.
    /// </summary>
    /// <returns>True when the advice was given; false for an index in memory, or where the call does not exist (not Linux).</returns>
    public bool Advise(MappedAccess access)
    {
        if (!Enum.IsDefined(access))
            throw new ArgumentOutOfRangeException(nameof(access), access, "Use Normal or Random.");
        var storage = AcquireStorage();
        try
        {
            return storage.Advise(access);
        }
        finally
        {
            storage.Release();
        }
    }

    /// <summary>
    /// Checks a file completely: header, every section's checksum, the padding, and the graph's
    /// invariants (link ids in range, link counts within M0/M, levels consistent, entry point on the
    /// top level, label index sorted and complete). Reads the whole file.
    /// </summary>
    /// <exception cref="IndexFormatException">The first problem found, naming the section and the node.</exception>
    public static IndexVerification Verify(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var loaded = IndexReader.Read(path, buildsLabelMap: false);
        loaded.Storage.Dispose();
        var h = loaded.Header;
        return new IndexVerification(path, $"{IndexFormat.MajorVersion}.{h.Minor}", h.FileLength, h.Options,
            h.NodeCount, h.LabelCount - h.DeletedCount, h.DeletedCount, h.NodeCount - h.LabelCount, loaded.Summary.TopLevel, loaded.Summary.LinkCount);
    }

    /// <summary>A node as the graph holds it: label, state and the links of each level (level 0 first). For tests and tools.</summary>
    internal (long Label, byte State, int[][] Links) DescribeNode(int node)
    {
        var storage = AcquirePublished(out _, out int count, out long upperUsed);
        try
        {
            var graph = storage.View(count, upperUsed);
            if (!graph.IsNode(node))
                throw new ArgumentOutOfRangeException(nameof(node), node, $"Nodes are 0..{graph.NodeCount - 1}.");
            int level = Math.Max(0, graph.Level(node));
            var links = new int[level + 1][];
            for (int l = 0; l <= level; l++)
                links[l] = graph.LinksOf(node, l).ToArray();
            return (graph.Label(node), (byte)graph.State(node), links);
        }
        finally
        {
            storage.Release();
        }
    }

    /// <summary>The entry point as packed in memory (level in the high half); for tests.</summary>
    internal long EntryPoint => Volatile.Read(ref _entry);
}
