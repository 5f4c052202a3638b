namespace NativeHnsw.Backup.Internal;

/// <summary>Reports on the calling thread (<see cref="Progress{T}"/> posts to the thread pool, so its reports can arrive after the step ended).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
