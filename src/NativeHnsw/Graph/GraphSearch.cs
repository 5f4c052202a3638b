using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using NativeHnsw.Distance;

namespace NativeHnsw.Graph;

/// <summary>
/// The graph walks of HNSW (Malkov &amp; Yashunin, 2016): greedy descent through the upper
/// levels, the ef-bounded beam search of one level, and the neighbor-selection heuristic.
/// Generic over the distance so the kernel is inlined; shared by in-memory and mapped indexes.
/// </summary>
internal static unsafe class GraphSearch
{
    /// <summary>
    /// A k-nearest search from the entry point (<paramref name="entry"/> on <paramref name="entryLevel"/>)
    /// for <c>context.Query</c>: descent to level 0, a beam of <paramref name="ef"/> there, then the nearest
    /// <c>destination.Length</c> written nearest first. Returns how many were written.
    /// </summary>
    public static int Nearest<TDistance>(in GraphView graph, int entry, int entryLevel, Span<SearchResult> destination, int ef,
        bool exclude, Func<long, bool>? filter, SearchContext context)
        where TDistance : struct, IDistance
    {
        if (!graph.IsNode(entry))
            return 0;
        fixed (float* query = context.Query)
        {
            var walk = new FloatNodeDistance<TDistance>(graph, query);
            Beam(graph, walk, entry, entryLevel, ef, exclude, filter, context);
        }
        return TakeNearest(graph, destination, context);
    }

    /// <summary>
    /// <see cref="Nearest{TDistance}"/> walking the int8 rows: the beam is measured on the compact vectors
    /// from the query quantized into <c>context.QueryBytes</c>; with <paramref name="rerank"/> its ef
    /// candidates are then re-scored with exact float32 distances (<typeparamref name="TExact"/>) before
    /// the nearest are taken, otherwise the estimates are returned.
    /// </summary>
    public static int NearestInt8<TMetric, TExact>(in GraphView graph, Int8QueryTerms terms, bool rerank, int entry, int entryLevel,
        Span<SearchResult> destination, int ef, bool exclude, Func<long, bool>? filter, SearchContext context)
        where TMetric : struct, IInt8Metric
        where TExact : struct, IDistance
    {
        if (!graph.IsNode(entry))
            return 0;
        fixed (sbyte* query = context.QueryBytes)
        {
            var walk = new Int8NodeDistance<TMetric>(graph, query, terms);
            Beam(graph, walk, entry, entryLevel, ef, exclude, filter, context);
        }
        return rerank ? Rerank<TExact>(graph, destination, context) : TakeNearest(graph, destination, context);
    }

    /// <summary>
    /// <see cref="Nearest{TDistance}"/> walking the float16 rows, the query widened to nothing (it stays f32)
    /// and each row widened into <c>context.RowScratch</c>; with <paramref name="rerank"/> the ef candidates
    /// are re-scored with the float32 rows.
    /// </summary>
    public static int NearestFloat16<TDistance>(in GraphView graph, bool rerank, int entry, int entryLevel,
        Span<SearchResult> destination, int ef, bool exclude, Func<long, bool>? filter, SearchContext context)
        where TDistance : struct, IDistance
    {
        if (!graph.IsNode(entry))
            return 0;
        fixed (float* query = context.Query)
        fixed (float* scratch = context.RowScratch)
        {
            var walk = new Float16NodeDistance<TDistance>(graph, query, scratch);
            Beam(graph, walk, entry, entryLevel, ef, exclude, filter, context);
        }
        return rerank ? Rerank<TDistance>(graph, destination, context) : TakeNearest(graph, destination, context);
    }

    /// <summary>
    /// The beam's candidates re-scored with exact float32 distances; the nearest <c>destination.Length</c> of them, nearest first.
    /// Only the <see cref="RerankDepth"/> best by estimate are re-scored: the exact rows are cold (the walk read the compact
    /// ones), and the estimates rank the true nearest inside that depth (the quantized recall tests hold it to the float32 thresholds).
    /// </summary>
    private static int Rerank<TExact>(in GraphView graph, Span<SearchResult> destination, SearchContext context)
        where TExact : struct, IDistance
    {
        var candidates = context.Results.TakeAll();
        int depth = Neighbor.SelectNearest(candidates, RerankDepth(destination.Length, candidates.Length));
        candidates = candidates[..depth];
        fixed (float* query = context.Query)
        {
            var exact = new FloatNodeDistance<TExact>(graph, query);
            // Ask for every row first so the misses overlap. One row at a time after that, so a re-scored distance is
            // bit for bit what VectorDistance.Compute gives (the four-row kernel sums in another order).
            for (int i = 0; i < candidates.Length; i++)
                exact.Prefetch(candidates[i].Node);
            for (int i = 0; i < candidates.Length; i++)
                candidates[i] = new Neighbor(exact.To(candidates[i].Node), candidates[i].Node);
        }
        return Write(graph, destination, candidates);
    }

    /// <summary>How many of a compact walk's candidates are re-scored exactly for <paramref name="k"/> results: 2k, at least 16, at most all.</summary>
    private static int RerankDepth(int k, int candidates) => Math.Min(candidates, Math.Max(16, 2 * k));

    /// <summary>The nearest <c>destination.Length</c> of <paramref name="candidates"/> written nearest first; returns how many.</summary>
    private static int Write(in GraphView graph, Span<SearchResult> destination, Span<Neighbor> candidates)
    {
        int count = Neighbor.SelectNearest(candidates, destination.Length);
        for (int i = 0; i < count; i++)
            destination[i] = new SearchResult(graph.Label(candidates[i].Node), candidates[i].Distance);
        return count;
    }

    /// <summary>Descent from the entry point to level 0, then the level-0 beam into <c>context.Results</c>.</summary>
    private static void Beam<TWalk>(in GraphView graph, in TWalk walk, int entry, int entryLevel, int ef, bool exclude, Func<long, bool>? filter, SearchContext context)
        where TWalk : struct, INodeDistance
    {
        float distance = walk.To(entry);
        int node = Descend(graph, walk, entry, ref distance, entryLevel, 0);
        SearchLevel(graph, walk, node, distance, ef, 0, context, exclude, filter);
    }

    /// <summary>The nearest <c>destination.Length</c> of the beam's results, nearest first.</summary>
    private static int TakeNearest(in GraphView graph, Span<SearchResult> destination, SearchContext context) =>
        Write(graph, destination, context.Results.TakeAll());

    /// <summary>
    /// Greedy walk from <paramref name="entry"/> on each level from <paramref name="fromLevel"/>
    /// down to <paramref name="toLevel"/> + 1, moving while a neighbor is strictly closer.
    /// </summary>
    public static int Descend<TWalk>(in GraphView graph, in TWalk walk, int entry, ref float entryDistance, int fromLevel, int toLevel)
        where TWalk : struct, INodeDistance
    {
        for (int level = fromLevel; level > toLevel; level--)
        {
            bool moved = true;
            while (moved)
            {
                moved = false;
                int* slot = graph.Links(entry, level);
                if (slot == null)
                    break;
                int count = graph.LinkCount(slot, level);
                for (int i = 1; i <= count; i++)
                {
                    int candidate = slot[i];
                    if (!graph.IsNode(candidate))
                        continue;
                    float d = walk.To(candidate);
                    if (d < entryDistance)
                    {
                        entryDistance = d;
                        entry = candidate;
                        moved = true;
                    }
                }
            }
        }
        return entry;
    }

    /// <summary>
    /// Beam search of one level. Leaves up to <paramref name="ef"/> nearest accepted nodes in
    /// <c>context.Results</c>. With <paramref name="exclude"/>, hidden nodes and nodes the filter
    /// rejects are still walked through (they keep the graph connected) but never become results,
    /// and the walk only stops early once ef accepted results are held.
    /// </summary>
    public static void SearchLevel<TWalk>(in GraphView graph, in TWalk walk, int entry, float entryDistance, int ef, int level,
        SearchContext context, bool exclude, Func<long, bool>? filter)
        where TWalk : struct, INodeDistance
    {
        var visited = context.Visited;
        var candidates = context.Candidates;
        var results = context.Results;
        visited.Begin(graph.NodeCount);
        candidates.Clear();
        results.Clear();
        results.EnsureCapacity(ef);

        visited.TryMark(entry);
        var marker = visited.Current;
        float bound = float.MaxValue;
        if (!exclude || Accepts(graph, entry, filter))
        {
            results.Push(entryDistance, entry);
            bound = entryDistance;
        }
        candidates.Push(-entryDistance, entry);

        fixed (int* batch = context.Batch)
        fixed (float* distances = context.BatchDistances)
        {
            while (candidates.Count > 0)
            {
                var current = candidates.Top;
                if (-current.Distance > bound && (results.Count >= ef || !exclude))
                    break;

                int* slot = graph.Links(current.Node, level);
                if (slot == null)
                {
                    candidates.Pop();
                    continue;
                }
                int count = graph.LinkCount(slot, level);

                // Gather the unvisited neighbors and measure them in one call (four rows to a kernel pass), then queue them in
                // their original order.
                int fresh = GatherAndMeasure(graph, walk, slot, count, marker, batch, distances);
                // The expanded candidate still sits on top: the first neighbor queued replaces it (one sift where a
                // pop and a push take two), and it is popped only when none is.
                bool topExpanded = true;
                if (results.Count >= ef && Vector256.IsHardwareAccelerated)
                {
                    // Once ef results are held, only neighbors nearer than the bound are queued, and most are not: a mask of those
                    // below the bound at the start of each eight skips the others without a branch each (the bound only shrinks,
                    // so the mask holds every neighbor Consider would take, and Consider checks each against the bound of its turn).
                    for (int j = 0; j < fresh; j += 8)
                    {
                        uint below = Vector256.LessThan(Vector256.Load(distances + j), Vector256.Create(bound)).ExtractMostSignificantBits();
                        if (fresh - j < 8)
                            below &= (1u << (fresh - j)) - 1;
                        while (below != 0)
                        {
                            int t = j + BitOperations.TrailingZeroCount(below);
                            below &= below - 1;
                            Consider(graph, level, distances[t], batch[t], ef, ref bound, ref topExpanded, candidates, results, exclude, filter);
                        }
                    }
                }
                else
                {
                    for (int j = 0; j < fresh; j++)
                        Consider(graph, level, distances[j], batch[j], ef, ref bound, ref topExpanded, candidates, results, exclude, filter);
                }
                if (topExpanded)
                    candidates.Pop();
            }
        }
    }

    /// <summary>
    /// The unvisited in-range neighbors of a link slot into <paramref name="batch"/> (marked visited), their rows asked for, then
    /// measured into <paramref name="distances"/>; returns how many. Its own method, called once per expansion: inlined, its
    /// loops shared the walk's registers and reloaded the marks, the epoch and the walk's state from the stack on every link.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int GatherAndMeasure<TWalk>(in GraphView graph, in TWalk walk, int* slot, int count, VisitedSet.Marker marker, int* batch, float* distances)
        where TWalk : struct, INodeDistance
    {
        // Every in-range neighbor is written and the count advances only for unvisited ones (no branch on visited).
        int fresh = 0;
        for (int i = 1; i <= count; i++)
        {
            int neighbor = slot[i];
            if (!graph.IsNode(neighbor))
                continue;
            batch[fresh] = neighbor;
            fresh += marker.MarkNew(neighbor);
        }
        for (int i = 0; i < fresh; i++)
            walk.Prefetch(batch[i]);
        walk.Measure(batch, fresh, distances);
        return fresh;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Consider(in GraphView graph, int level, float d, int neighbor, int ef, ref float bound,
        ref bool topExpanded, NeighborHeap candidates, NeighborHeap results, bool exclude, Func<long, bool>? filter)
    {
        if (results.Count < ef || d < bound)
        {
            if (topExpanded)
            {
                candidates.ReplaceTop(-d, neighbor);
                topExpanded = false;
            }
            else
            {
                // Once ef results are held, a candidate farther than the bound is never expanded (the bound only
                // shrinks): a full queue drops those rather than grow. Live candidates are then at most ef (each is
                // still among the results), so the queue stops growing near 4 ef however many nodes the walk visits.
                // The walk, and so its answer, is unchanged.
                if (candidates.IsFull && results.Count >= ef)
                    candidates.DropBelow(-bound);
                candidates.Push(-d, neighbor);
            }
            // Likely to be expanded soon: start fetching its link slot now (hnswlib prefetches the same way).
            graph.PrefetchLinks(neighbor, level);
            if (!exclude || Accepts(graph, neighbor, filter))
            {
                if (results.Count < ef)
                    results.Push(d, neighbor);
                else
                    results.ReplaceTop(d, neighbor);
            }
            if (results.Count > 0)
                bound = results.Top.Distance;
        }
    }

    /// <summary>
    /// The neighbor-selection heuristic: walking <paramref name="candidates"/> nearest first, keep
    /// one only if it is closer to the base than to every one already kept, up to <paramref name="max"/>.
    /// Favouring diverse directions over the plain nearest is what keeps clustered data navigable.
    /// </summary>
    public static int SelectNeighbors<TDistance>(in GraphView graph, ReadOnlySpan<Neighbor> candidates, int max, Span<Neighbor> selected)
        where TDistance : struct, IDistance
    {
        int dims = graph.Dimensions;
        int kept = 0;
        foreach (var candidate in candidates)
        {
            if (kept >= max)
                break;
            float* vector = graph.Vector(candidate.Node);
            bool diverse = true;
            for (int j = 0; j < kept; j++)
            {
                if (TDistance.Compute(ref *vector, ref *graph.Vector(selected[j].Node), dims) < candidate.Distance)
                {
                    diverse = false;
                    break;
                }
            }
            if (diverse)
                selected[kept++] = candidate;
        }
        return kept;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Accepts(in GraphView graph, int node, Func<long, bool>? filter) =>
        graph.State(node) == NodeState.Live && (filter is null || filter(graph.Label(node)));
}
