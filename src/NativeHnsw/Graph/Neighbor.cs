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
}
