namespace NativeHnsw.Cli;

/// <summary>How far a long step is: <paramref name="Done"/> of <paramref name="Total"/> <paramref name="Unit"/> (<see cref="CliUi.BytesUnit"/> or a noun such as "vectors"), in an optional named phase.</summary>
internal readonly record struct StepProgress(string? Phase, long Done, long Total, string Unit);
