namespace NativeHnsw.Interop.Tests;

/// <summary>Tests that measure process-wide resident memory: run after, not alongside, the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LeakTestsCollection
{
    public const string Name = "Leak tests (not parallel)";
}
