using FsCheck;
using FsCheck.Fluent;
using NativeHnsw.Graph;

namespace NativeHnsw.Tests.Graph;

public sealed class NeighborHeapTests
{
    /// <summary>
    /// Law: after any sequence of pushes, pops and top replacements (past the array's first growth), the top is always
    /// the largest entry held, and the entries held are exactly those a plain list given the same operations holds.
    /// </summary>
    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property PushPopReplaceTop_AlwaysHoldTheLargestOnTop() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            var heap = new NeighborHeap();
            var model = new List<Neighbor>();
            int operations = random.Next(1, 600);
            for (int op = 0; op < operations; op++)
            {
                float distance = random.Next(-40, 40) / 2f;
                int kind = random.Next(4);
                if (kind <= 1 || model.Count == 0)
                {
                    heap.Push(distance, op);
                    model.Add(new Neighbor(distance, op));
                }
                else if (kind == 2)
                {
                    var top = heap.Pop();
                    if (top.Distance != model.Max(n => n.Distance) || !model.Remove(top))
                        return false;
                }
                else
                {
                    var top = heap.Top;
                    if (top.Distance != model.Max(n => n.Distance) || !model.Remove(top))
                        return false;
                    heap.ReplaceTop(distance, op);
                    model.Add(new Neighbor(distance, op));
                }
                if (heap.Count != model.Count || (model.Count > 0 && heap.Top.Distance != model.Max(n => n.Distance)))
                    return false;
            }
            var drained = new List<Neighbor>();
            while (heap.Count > 0)
                drained.Add(heap.Pop());
            return drained.Select(n => n.Distance).SequenceEqual(model.Select(n => n.Distance).OrderDescending())
                && drained.Select(n => n.Node).Order().SequenceEqual(model.Select(n => n.Node).Order());
        });

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void DropBelow_KeepsExactlyTheEntriesAtOrAboveTheFloor_InHeapOrder(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 200; round++)
        {
            var heap = new NeighborHeap();
            var pushed = new List<Neighbor>();
            int count = random.Next(0, 300);
            for (int i = 0; i < count; i++)
            {
                // Few distinct distances, so ties with the floor occur.
                float distance = random.Next(-50, 50) / 4f;
                heap.Push(distance, i);
                pushed.Add(new Neighbor(distance, i));
            }
            float floor = random.Next(-60, 60) / 4f;
            heap.DropBelow(floor);

            var expected = pushed.Where(n => n.Distance >= floor).Select(n => n.Distance).OrderDescending().ToList();
            var popped = new List<float>();
            var nodes = new HashSet<int>();
            while (heap.Count > 0)
            {
                var top = heap.Pop();
                popped.Add(top.Distance);
                Assert.True(nodes.Add(top.Node));
                Assert.Equal(pushed[top.Node].Distance, top.Distance);
            }
            Assert.Equal(expected, popped);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SelectNearest_PutsTheKNearestFirstInOrder_FromAnyOrder(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 300; round++)
        {
            int count = random.Next(0, 120);
            int k = random.Next(1, 40);
            // Few distinct distances, so ties occur at the k-th place.
            var items = Enumerable.Range(0, count).Select(i => new Neighbor(random.Next(0, 30) / 2f, i)).ToArray();
            var original = items.ToArray();
            var expected = items.Select(n => n.Distance).Order().Take(k).ToList();

            int kept = Neighbor.SelectNearest(items, k);

            Assert.Equal(Math.Min(k, count), kept);
            Assert.Equal(expected, items.Take(kept).Select(n => n.Distance).ToList());
            Assert.Equal(kept, items.Take(kept).Select(n => n.Node).Distinct().Count());
            Assert.All(items.Take(kept), n => Assert.Equal(original[n.Node].Distance, n.Distance));
        }
    }

    [Fact]
    public void TakeAll_HandsBackEveryEntryAndEmptiesTheHeap()
    {
        var heap = new NeighborHeap();
        for (int i = 0; i < 100; i++)
            heap.Push((i * 37) % 101, i);

        var all = heap.TakeAll().ToArray();

        Assert.Equal(0, heap.Count);
        Assert.Equal(Enumerable.Range(0, 100), all.Select(n => n.Node).Order());
        Assert.All(all, n => Assert.Equal((n.Node * 37) % 101, n.Distance));
    }

    [Fact]
    public void SortByDistance_OrdersNearestFirst_KeepingTiesInPlace()
    {
        var random = new Random(7);
        for (int round = 0; round < 200; round++)
        {
            var items = Enumerable.Range(0, random.Next(0, 70)).Select(i => new Neighbor(random.Next(0, 20), i)).ToArray();
            var expected = items.OrderBy(n => n.Distance).ToArray();
            Neighbor.SortByDistance(items);
            Assert.Equal(expected, items);
        }
    }
}
