using System.Text.Json;
using NativeHnsw.IO;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// The scheduler's state file. Written whole to a temporary file beside it, fsynced, renamed over it and the folder
/// fsynced, so a crash leaves the old state or the new one, never a torn file.
/// </summary>
public sealed class SchedulerStateFile
{
    public SchedulerStateFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    /// <summary>The saved state; an empty one when there is no file yet.</summary>
    /// <exception cref="InvalidDataException">The file is not a state file this tool reads; the message names it.</exception>
    public SchedulerState Read()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new SchedulerState();
        }
        SchedulerState? state;
        try
        {
            state = JsonSerializer.Deserialize(bytes, SchedulerStateJsonContext.Default.SchedulerState);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path}: not a scheduler state file ({e.Message})", e);
        }
        if (state is null || state.Jobs is null || state.Sources is null)
            throw new InvalidDataException($"{Path}: not a scheduler state file (no jobs or sources)");
        if (state.SchemaVersion != SchedulerState.CurrentSchemaVersion)
            throw new InvalidDataException($"{Path}: state schema {state.SchemaVersion} is not the one this tool reads ({SchedulerState.CurrentSchemaVersion})");
        // Dictionaries come back with the default comparer; names are ordinal everywhere else.
        return state with
        {
            Jobs = new Dictionary<string, JobState>(state.Jobs, StringComparer.Ordinal),
            Sources = new Dictionary<string, SourceState>(state.Sources, StringComparer.Ordinal),
        };
    }

    public void Write(SchedulerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var replacement = DurableFile.BeginReplace(Path);
        RandomAccess.Write(replacement.Handle, JsonSerializer.SerializeToUtf8Bytes(state, SchedulerStateJsonContext.Default.SchedulerState), 0);
        replacement.Commit();
    }
}
