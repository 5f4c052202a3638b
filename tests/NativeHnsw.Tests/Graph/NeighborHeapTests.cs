using NativeHnsw.Graph;

namespace NativeHnsw.Tests.Graph;

public sealed class NeighborHeapTests
{
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
