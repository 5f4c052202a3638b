namespace NativeHnsw.Graph;

/// <summary>A node with its distance to whatever the current search or selection is measuring from.</summary>
internal readonly record struct Neighbor(float Distance, int Node)
{
    /// <summary>
    /// Sorts nearest first, stably, by insertion: the spans sorted here are short (a slot's links plus one) or
    /// nearly sorted already (a beam drained in estimated order, then re-scored exactly), where insertion sort
    /// is near linear; it allocates nothing and calls no comparer.
    /// </summary>
    public static void SortByDistance(Span<Neighbor> items)
    {
        for (int i = 1; i < items.Length; i++)
        {
            var moving = items[i];
            int j = i - 1;
            while (j >= 0 && items[j].Distance > moving.Distance)
            {
                items[j + 1] = items[j];
                j--;
            }
            items[j + 1] = moving;
        }
    }

    /// <summary>
    /// Moves the <paramref name="k"/> nearest of <paramref name="items"/> to its front, nearest first, and returns how
    /// many that is (k, or fewer when there are fewer items); the rest of the span is left in no useful order.
    /// A sorted prefix takes each entry nearer than its last: about k ln(n / k) insertions for n entries in no
    /// particular order, where draining a heap of n costs n sifts.
    /// </summary>
    public static int SelectNearest(Span<Neighbor> items, int k)
    {
        if (k <= 0)
            return 0;
        int kept = 0;
        for (int i = 0; i < items.Length; i++)
        {
            var moving = items[i];
            if (kept == k && !(moving.Distance < items[kept - 1].Distance))
                continue;
            int j = kept < k ? kept++ : kept - 1;
            while (j > 0 && items[j - 1].Distance > moving.Distance)
            {
                items[j] = items[j - 1];
                j--;
            }
            items[j] = moving;
        }
        return kept;
    }
}
