namespace NativeHnsw.Cli;

/// <summary>Bad usage found after parsing (a value out of range, a missing input file): one line on stderr, exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);
