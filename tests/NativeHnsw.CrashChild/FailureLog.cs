using System.Collections.Concurrent;

namespace NativeHnsw.CrashChild;

/// <summary>Wrong answers and unexpected exceptions seen by the race threads; the first few are printed at the end.</summary>
internal sealed class FailureLog
{
    private const int Printed = 20;
    private readonly ConcurrentQueue<string> _failures = new();

    public bool Any => !_failures.IsEmpty;

    public void Add(string failure)
    {
        if (_failures.Count < 1000)
            _failures.Enqueue(failure);
    }

    /// <summary>Prints the failures to stderr; the process exit code: 0 when there were none, else 1.</summary>
    public int Report()
    {
        if (_failures.IsEmpty)
            return 0;
        Console.Error.WriteLine($"{_failures.Count} failure(s); the first {Math.Min(Printed, _failures.Count)}:");
        foreach (string failure in _failures.Take(Printed))
            Console.Error.WriteLine(failure);
        return 1;
    }
}
