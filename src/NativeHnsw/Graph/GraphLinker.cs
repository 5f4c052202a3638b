using NativeHnsw.Distance;

namespace NativeHnsw.Graph;

/// <summary>
/// Links a new node into the graph (Malkov &amp; Yashunin's insertion): its own links chosen by the
/// neighbor heuristic at each of its levels, then the reverse links that make it reachable, each
/// slot written under its node's stripe lock so concurrent inserts and lock-free searches agree.
/// </summary>
internal static unsafe class GraphLinker
{
    /// <summary>
    /// Links <paramref name="node"/> (already stored, at <paramref name="level"/>) from the entry point
    /// <paramref name="entryNode"/> on <paramref name="topLevel"/>. <paramref name="stripes"/> (a power of two
    /// of them) guard the link slots.
    /// </summary>
    public static void Connect<TDistance>(in GraphView graph, int node, int level, int entryNode, int topLevel, int efConstruction, Lock[] stripes, SearchContext context)
        where TDistance : struct, IDistance =>
        Connect<TDistance, FloatNodeDistance<TDistance>>(graph, new FloatNodeDistance<TDistance>(graph, graph.Vector(node)), rescore: false,
            node, level, entryNode, topLevel, efConstruction, stripes, context);

    /// <summary>
    /// <see cref="Connect{TDistance}"/> with the searches measured by <paramref name="walk"/> (compact rows, say); with
    /// <paramref name="rescore"/> each level's candidates are re-scored with exact float32 distances before the
    /// neighbours are chosen, so the selection and the stored link distances are exact.
    /// </summary>
    public static void Connect<TDistance, TWalk>(in GraphView graph, TWalk walk, bool rescore, int node, int level, int entryNode, int topLevel,
        int efConstruction, Lock[] stripes, SearchContext context)
        where TDistance : struct, IDistance
        where TWalk : struct, INodeDistance
    {
        var exact = new FloatNodeDistance<TDistance>(graph, graph.Vector(node));
        float entryDistance = walk.To(entryNode);
        if (level < topLevel)
            entryNode = GraphSearch.Descend(graph, walk, entryNode, ref entryDistance, topLevel, level);

        // First the node's own links at every level, then the reverse links that make it
        // reachable. Were it reachable earlier, another insert could descend onto it and start
        // a level-0 search from a node that has no level-0 links yet, and be left linked to it alone.
        int linkedTop = Math.Min(level, topLevel);
        for (int l = linkedTop; l >= 0; l--)
        {
            GraphSearch.SearchLevel(graph, walk, entryNode, entryDistance, efConstruction, l, context, exclude: false, filter: null);
            var found = WithoutNode(context.DrainResultsAscending(), node);
            if (rescore)
            {
                for (int i = 0; i < found.Length; i++)
                    found[i] = new Neighbor(exact.To(found[i].Node), found[i].Node);
                Neighbor.SortByDistance(found);
            }
            var selected = context.SelectedAt(l);
            if (found.IsEmpty)
            {
                context.SetSelectedCount(l, 0);
                continue;
            }
            entryNode = found[0].Node;
            entryDistance = rescore ? walk.To(entryNode) : found[0].Distance;
            int kept = GraphSearch.SelectNeighbors<TDistance>(graph, found, graph.M, selected);
            context.SetSelectedCount(l, kept);
            SetLinks(graph, node, l, selected[..kept], stripes);
        }
        for (int l = linkedTop; l >= 0; l--)
        {
            foreach (var neighbor in context.SelectedAt(l)[..context.SelectedCount(l)])
                AddLink<TDistance>(graph, neighbor.Node, l, node, neighbor.Distance, stripes, context);
        }
    }

    /// <summary>A concurrent insert can reach the node being inserted; it must not become its own neighbor.</summary>
    private static Span<Neighbor> WithoutNode(Span<Neighbor> found, int node)
    {
        for (int i = 0; i < found.Length; i++)
        {
            if (found[i].Node == node)
            {
                found[(i + 1)..].CopyTo(found[i..]);
                return found[..^1];
            }
        }
        return found;
    }

    /// <summary>Writes the new node's own links at a level; nobody links to it before this is done.</summary>
    private static void SetLinks(in GraphView graph, int node, int level, ReadOnlySpan<Neighbor> selected, Lock[] stripes)
    {
        lock (StripeOf(stripes, node))
            WriteSlot(graph.Links(node, level), selected);
    }

    /// <summary>Adds the reverse link target → newcomer, pruning the target's links by the heuristic when full.</summary>
    private static void AddLink<TDistance>(in GraphView graph, int target, int level, int newcomer, float distance, Lock[] stripes, SearchContext context)
        where TDistance : struct, IDistance
    {
        lock (StripeOf(stripes, target))
        {
            int* slot = graph.Links(target, level);
            if (slot == null)
                return;
            int count = graph.LinkCount(slot, level);
            int max = level == 0 ? graph.M0 : graph.M;
            for (int i = 1; i <= count; i++)
            {
                if (slot[i] == newcomer)
                    return;
            }
            if (count < max)
            {
                slot[count + 1] = newcomer;
                Volatile.Write(ref *slot, count + 1);
                return;
            }
            var pool = context.Scratch.AsSpan();
            float* vector = graph.Vector(target);
            float* four = stackalloc float[4];
            int j = 0;
            for (; j + 4 <= count; j += 4)
            {
                int* links = slot + 1 + j;
                TDistance.Compute4(vector, graph.Vector(links[0]), graph.Vector(links[1]), graph.Vector(links[2]), graph.Vector(links[3]), graph.Dimensions, four);
                for (int t = 0; t < 4; t++)
                    pool[j + t] = new Neighbor(four[t], links[t]);
            }
            for (; j < count; j++)
                pool[j] = new Neighbor(TDistance.Compute(ref *vector, ref *graph.Vector(slot[j + 1]), graph.Dimensions), slot[j + 1]);
            pool[count] = new Neighbor(distance, newcomer);
            Prune<TDistance>(graph, slot, level, pool[..(count + 1)]);
        }
    }

    private static void Prune<TDistance>(in GraphView graph, int* slot, int level, Span<Neighbor> candidates)
        where TDistance : struct, IDistance
    {
        Neighbor.SortByDistance(candidates);
        int max = level == 0 ? graph.M0 : graph.M;
        Span<Neighbor> kept = stackalloc Neighbor[max];
        int count = GraphSearch.SelectNeighbors<TDistance>(graph, candidates, max, kept);
        WriteSlot(slot, kept[..count]);
    }

    /// <summary>Links first, count last: a lock-free reader sees either the old count or a slot whose links are all valid ids.</summary>
    private static void WriteSlot(int* slot, ReadOnlySpan<Neighbor> links)
    {
        for (int i = 0; i < links.Length; i++)
            slot[i + 1] = links[i].Node;
        Volatile.Write(ref *slot, links.Length);
    }

    private static Lock StripeOf(Lock[] stripes, int node) => stripes[node & (stripes.Length - 1)];
}
