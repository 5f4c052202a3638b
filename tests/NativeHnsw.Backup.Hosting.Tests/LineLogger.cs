using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>A logger that keeps every formatted line, for tests that check what was logged.</summary>
internal sealed class LineLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue(formatter(state, exception));
}
