namespace NativeHnsw.Bench;

/// <summary>
/// Bad input to the harness (an unknown option, a missing or malformed dataset file, mismatched dimensions): the CLI
/// prints the message alone and exits with code 2, never a stack trace.
/// </summary>
public sealed class BenchInputException : Exception
{
    public BenchInputException(string message)
        : base(message)
    {
    }

    public BenchInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
