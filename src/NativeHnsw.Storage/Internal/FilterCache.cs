namespace NativeHnsw.Storage.Internal;

/// <summary>
/// The row-id sets of the last few filters a collection's queries used, each valid for one data version. The sets are
/// shared by concurrent queries, which only read them. Large sets are not kept: they cost memory and the graph search
/// they feed dominates their query anyway.
/// </summary>
internal sealed class FilterCache
{
    private const int Entries = 4;
    private const int MaxRowsPerEntry = 262_144;

    private readonly Lock _gate = new();
    private readonly (string Filter, long Version, HashSet<long> Rows)?[] _entries = new (string, long, HashSet<long>)?[Entries];
    private int _next;

    public bool TryGet(string filter, long version, out HashSet<long> rows)
    {
        lock (_gate)
        {
            foreach (var entry in _entries)
            {
                if (entry is { } e && e.Version == version && e.Filter == filter)
                {
                    rows = e.Rows;
                    return true;
                }
            }
        }
        rows = null!;
        return false;
    }

    public void Add(string filter, long version, HashSet<long> rows)
    {
        if (rows.Count > MaxRowsPerEntry)
            return;
        lock (_gate)
        {
            _entries[_next] = (filter, version, rows);
            _next = (_next + 1) % Entries;
        }
    }
}
