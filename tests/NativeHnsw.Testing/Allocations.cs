namespace NativeHnsw.Testing;

/// <summary>Bytes a piece of code allocates on the calling thread once it is warm.</summary>
public static class Allocations
{
    /// <summary>
    /// The fewest bytes any of <paramref name="rounds"/> runs of <paramref name="round"/> allocated on this thread.
    /// A single measured run can catch a one-off allocation that is not the code's: tiered compilation compiles an
    /// on-stack-replacement method on the calling thread, and the class initialisation that compile triggers allocates
    /// once per process. An allocation made on every call shows in every round, so the minimum still catches it.
    /// </summary>
    public static long SteadyState(Action round, int rounds = 3)
    {
        ArgumentNullException.ThrowIfNull(round);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        long fewest = long.MaxValue;
        for (int i = 0; i < rounds && fewest > 0; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
