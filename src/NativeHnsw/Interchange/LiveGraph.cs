using NativeHnsw.Distance;
using NativeHnsw.Graph;

namespace NativeHnsw.Interchange;

/// <summary>
/// The live nodes of an exported graph, numbered 0..n−1 in their original order, with links that skip the deleted
/// and superseded nodes: for formats without delete marks (FAISS), which would otherwise return those nodes.
/// </summary>
/// <remarks>
/// A live node keeps its live links, in their order. Each hidden neighbour it loses was a waypoint, so its place goes to
/// the live nodes that the hidden one (or a chain of hidden ones, on the same level) led to: those not already linked,
/// nearest to the node first, until the level's list is full (2·M at level 0, M above). A path that ran through hidden
/// nodes becomes a direct link where the list has room, and no list grows past its bound. It is not the construction's
/// diversity heuristic: a list rewired this way is a nearest-first fill.
/// When the entry point is hidden, the first live node of the highest live level becomes the entry point.
/// With nothing hidden the numbering is the identity and every list is copied as it stands.
/// </remarks>
internal sealed unsafe class LiveGraph
{
    // Hidden nodes followed from one hidden neighbour at most: a bound on work per list, far above what a
    // graph with a few percent of hidden nodes reaches.
    private const int MaxHiddenWalk = 64;

    private readonly GraphView _view;
    private readonly DistanceMetric _metric;
    private readonly int[] _newOf;
    private readonly int[] _oldOf;
    private readonly bool _identity;

    public LiveGraph(in ExportedGraph source)
    {
        _view = source.View;
        _metric = source.Options.Metric;
        int n = source.NodeCount;
        _newOf = new int[n];
        var old = new List<int>(Math.Max(0, n - source.HiddenCount));
        int entry = -1, entryLevel = -1;
        for (int node = 0; node < n; node++)
        {
            if (_view.State(node) != NodeState.Live)
            {
                _newOf[node] = -1;
                continue;
            }
            _newOf[node] = old.Count;
            old.Add(node);
            int level = Math.Max(0, _view.Level(node));
            if (level > entryLevel)
                (entry, entryLevel) = (node, level);
        }
        _oldOf = [.. old];
        _identity = _oldOf.Length == n;
        if (source.EntryNode >= 0 && _view.State(source.EntryNode) == NodeState.Live)
            (entry, entryLevel) = (source.EntryNode, source.EntryLevel);
        EntryNode = entry < 0 ? -1 : _newOf[entry];
        EntryLevel = entryLevel;
    }

    /// <summary>Live nodes: the exported node count.</summary>
    public int Count => _oldOf.Length;

    /// <summary>The entry point, in the new numbering (−1 when no node is live).</summary>
    public int EntryNode { get; }

    public int EntryLevel { get; }

    /// <summary>The original node behind exported node <paramref name="node"/> (for its vector, label and level).</summary>
    public int Original(int node) => _oldOf[node];

    /// <summary>
    /// Writes the links of exported node <paramref name="node"/> at <paramref name="level"/>, in the new numbering, into
    /// <paramref name="destination"/> (the level's capacity) and returns how many were written.
    /// </summary>
    public int Links(int node, int level, Span<int> destination)
    {
        int original = _oldOf[node];
        var links = _view.LinksOf(original, level);
        if (_identity)
        {
            links.CopyTo(destination);
            return links.Length;
        }
        int count = 0;
        bool lostAny = false;
        foreach (int link in links)
        {
            int mapped = _newOf[link];
            if (mapped < 0)
                lostAny = true;
            else if (count < destination.Length)
                destination[count++] = mapped;
        }
        if (!lostAny || count == destination.Length)
            return count;
        return count + Refill(original, level, links, destination, count);
    }

    /// <summary>Fills free slots with the nearest live nodes the lost hidden neighbours led to; returns how many were added.</summary>
    private int Refill(int original, int level, ReadOnlySpan<int> links, Span<int> destination, int count)
    {
        var seen = new HashSet<int> { original };
        foreach (int link in links)
            seen.Add(link);
        var candidates = new List<(float Distance, int Node)>();
        var hidden = new Queue<int>();
        foreach (int link in links)
        {
            if (_newOf[link] < 0)
                hidden.Enqueue(link);
        }
        int walked = 0;
        var from = new ReadOnlySpan<float>(_view.Vector(original), _view.Dimensions);
        while (hidden.Count > 0 && walked++ < MaxHiddenWalk)
        {
            foreach (int next in _view.LinksOf(hidden.Dequeue(), level))
            {
                if (!seen.Add(next))
                    continue;
                if (_newOf[next] < 0)
                    hidden.Enqueue(next);
                else
                    candidates.Add((VectorDistance.Compute(_metric, from, new ReadOnlySpan<float>(_view.Vector(next), _view.Dimensions)), next));
            }
        }
        candidates.Sort((a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Node.CompareTo(b.Node));
        int added = 0;
        foreach (var (_, node) in candidates)
        {
            if (count + added == destination.Length)
                break;
            destination[count + added++] = _newOf[node];
        }
        return added;
    }
}
