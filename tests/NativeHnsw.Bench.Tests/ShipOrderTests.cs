using NativeHnsw.Bench.Store;

namespace NativeHnsw.Bench.Tests;

/// <summary>The store mode's order of turns: every store follows every other equally often, never itself.</summary>
public sealed class ShipOrderTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Cycle_AnySeed_EachRecordAPermutationAndEveryStoreFollowsEveryOtherOnce(int stores)
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var cycle = ShipOrder.Cycle(stores, new Random(seed));
            Assert.Equal(stores - 1, cycle.Length);
            Assert.All(cycle, record => Assert.Equal(Enumerable.Range(0, stores), record.Order()));
            Assert.True(Balanced(ShipOrder.Adjacency(cycle, stores)), $"seed {seed}: {string.Join(" | ", cycle.Select(r => string.Join(",", r)))}");
        }
    }

    [Fact]
    public void Adjacency_TheOldRotation_NotBalanced()
    {
        // Store (j + i) % 4 at turn j of record i (the order the bench used before ShipOrder), over a full cycle of
        // four records: store k follows k − 1 at three of its four turns and k + 1 never.
        int[][] rotation = [.. Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, 4).Select(j => (j + i) % 4).ToArray())];
        var counts = ShipOrder.Adjacency(rotation, 4);
        Assert.False(Balanced(counts));
        Assert.Equal(3, counts[2, 3]);
        Assert.Equal(0, counts[3, 2]);
    }

    [Fact]
    public void Cycle_DrawnAgain_NotAlwaysTheSame()
    {
        var random = new Random(7);
        var drawn = Enumerable.Range(0, 20).Select(_ => string.Join("|", ShipOrder.Cycle(4, random).Select(r => string.Join(",", r)))).ToHashSet();
        Assert.True(drawn.Count > 1, "every round would have the same order");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void Cycle_StoresOutOfRange_Throws(int stores) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ShipOrder.Cycle(stores, new Random(1)));

    [Fact]
    public void Adjacency_StoreOutOfRange_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => ShipOrder.Adjacency([[0, 1], [1, 4]], 4));
        Assert.Contains("Store 4", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ShipOrder.Adjacency([[-1, 0]], 4));
    }

    private static bool Balanced(int[,] counts)
    {
        int n = counts.GetLength(0);
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < n; b++)
            {
                if (counts[a, b] != (a == b ? 0 : 1))
                    return false;
            }
        }
        return true;
    }
}
