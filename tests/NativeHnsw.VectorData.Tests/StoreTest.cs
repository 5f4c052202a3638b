namespace NativeHnsw.VectorData.Tests;

/// <summary>A fresh vector store in a temporary folder per test, disposed (lock released, folder deleted) after it.</summary>
public abstract class StoreTest : IDisposable
{
    protected StoreTest() => Store = new NativeHnswVectorStore(Dir.File("store"));

    protected TempDirectory Dir { get; } = new();

    protected NativeHnswVectorStore Store { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Store.Dispose();
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
