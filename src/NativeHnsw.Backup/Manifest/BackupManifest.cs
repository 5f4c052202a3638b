using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace NativeHnsw.Backup;

/// <summary>
/// The record of one backup, stored as <c>manifest.json</c> beside its files and written last: a backup whose
/// manifest is absent is not a backup. <see cref="Kind"/> and <see cref="Parent"/> chain incrementals to their
/// full base; a reader refuses a manifest whose <see cref="FormatVersion"/> is newer than it understands.
/// </summary>
public sealed partial record BackupManifest
{
    /// <summary>The newest manifest version this library reads, and the one it writes for a backup with chunked files (their chunk lists compact: <see cref="ChunkListJsonConverter"/>).</summary>
    public const int CurrentFormatVersion = 3;

    /// <summary>The version that listed each chunk as an object (<c>{"sha256", "length"}</c>); still read, and written for such a manifest copied as it is.</summary>
    private const int ChunkObjectsFormatVersion = 2;

    /// <summary>The version written for a backup whose files are all stored whole, which tools that predate chunks can still read.</summary>
    public const int WholeFileFormatVersion = 1;

    /// <summary>The manifest's file name inside a backup.</summary>
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Read by people and scripts, never embedded in HTML: keep quotes and non-ASCII readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false), new ChunkRefJsonConverter() },
    };

    /// <summary>Format 3 and later: as <see cref="s_json"/>, with each file's chunks in compact strings.</summary>
    private static readonly JsonSerializerOptions s_compactJson = new(s_json) { Converters = { new ChunkListJsonConverter() } };

    public required int FormatVersion { get; init; }

    /// <summary>Unique within a target; sorts by creation time (<see cref="NewId"/>).</summary>
    public required string Id { get; init; }

    /// <summary>The instant the snapshot stands for, UTC.</summary>
    public required DateTimeOffset CreatedUtc { get; init; }

    public required BackupKind Kind { get; init; }

    /// <summary>The backup an incremental applies on top of; null for a full one.</summary>
    public string? Parent { get; init; }

    public required BackupSourceKind SourceKind { get; init; }

    /// <summary>Where the data came from (a full path), for people; restore never relies on it.</summary>
    public required string Source { get; init; }

    /// <summary>The version of the library that wrote the backup.</summary>
    public required string ToolVersion { get; init; }

    /// <summary>Shape and counts of the index, for an index backup.</summary>
    public IndexSummary? Index { get; init; }

    /// <summary>Sequence number and per-collection shape and counts, for a store backup.</summary>
    public StoreSummary? Store { get; init; }

    /// <summary>Every file of the backup with its length and SHA-256.</summary>
    public required IReadOnlyList<BackupFileEntry> Files { get; init; }

    /// <summary>Sample queries a restore replays, for an index backup.</summary>
    public ProbeSet? Probe { get; init; }

    /// <summary>Bytes this backup added to its target: its whole files plus the chunks no earlier backup had stored (framed, compressed). Null in backups that predate chunks.</summary>
    public long? StoredBytes { get; init; }

    /// <summary>The format version to write for a backup holding <paramref name="files"/>: <see cref="CurrentFormatVersion"/> when any is chunked, else 1.</summary>
    public static int FormatVersionFor(IEnumerable<BackupFileEntry> files) =>
        files.Any(f => f.Chunks is not null) ? CurrentFormatVersion : WholeFileFormatVersion;

    /// <summary>The version string of this library, without the source-revision suffix.</summary>
    public static string LibraryVersion { get; } = ReadLibraryVersion();

    /// <summary>A new id for a backup taken at <paramref name="createdUtc"/>: <c>yyyyMMddTHHmmssfffZ-xxxxxx</c>, sorting by time.</summary>
    public static string NewId(DateTimeOffset createdUtc) =>
        createdUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture)
        + "-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));

    /// <summary>True for an id or file name a target can hold: letters, digits, '.', '_', '-', not starting with '.'.</summary>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= 200 } && SafeName().IsMatch(name);

    /// <summary>The manifest as JSON in the form of its <see cref="FormatVersion"/> (a format-2 manifest copied between targets stays readable by the tools that wrote it).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, OptionsFor(FormatVersion));

    /// <inheritdoc cref="ToJson"/>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, OptionsFor(FormatVersion));

    private static JsonSerializerOptions OptionsFor(int formatVersion) => formatVersion > ChunkObjectsFormatVersion ? s_compactJson : s_json;

    /// <summary>
    /// Reads a manifest, checks its version first (a newer one is refused before anything else is interpreted),
    /// then every field; <paramref name="backupId"/> names the backup in errors and must equal the stored id.
    /// </summary>
    /// <exception cref="BackupException">The manifest is not JSON, is from a newer version, or is inconsistent.</exception>
    public static BackupManifest Parse(ReadOnlySpan<byte> utf8Json, string backupId) => Parse(utf8Json, backupId, CurrentFormatVersion);

    /// <param name="newestVersion">The newest format the reader understands: <see cref="CurrentFormatVersion"/>, or an older tool's (tests hold this version's manifests to how that tool refuses them).</param>
    internal static BackupManifest Parse(ReadOnlySpan<byte> utf8Json, string backupId, int newestVersion)
    {
        int version = PeekVersion(utf8Json, backupId);
        if (version > newestVersion)
            throw new BackupIntegrityException(backupId, $"the manifest is format version {version}, newer than this tool understands ({newestVersion}); upgrade nhnsw (this is NativeHnsw.Backup {LibraryVersion})");
        if (version < 1)
            throw new BackupIntegrityException(backupId, $"the manifest has an invalid format version {version}");

        BackupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BackupManifest>(utf8Json, OptionsFor(version));
        }
        catch (JsonException e)
        {
            throw new BackupIntegrityException(backupId, "the manifest is not valid JSON or not a manifest (truncated or tampered with): " + e.Message, e);
        }
        if (manifest is null)
            throw new BackupIntegrityException(backupId, "the manifest is empty (null)");
        if (manifest.FormatVersion != version)
            throw new BackupIntegrityException(backupId, $"the manifest gives formatVersion twice ({version}, then {manifest.FormatVersion})");
        manifest.Validate(backupId);
        return manifest;
    }

    /// <summary>
    /// The top-level <c>formatVersion</c>, found without reading the rest (a writer puts it first; elsewhere, the
    /// values before it are skipped), so a newer manifest is refused before anything in it is interpreted and the
    /// JSON is parsed once, not twice.
    /// </summary>
    private static int PeekVersion(ReadOnlySpan<byte> utf8Json, string backupId)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    bool isVersion = reader.ValueTextEquals("formatVersion"u8);
                    reader.Read();
                    if (isVersion)
                    {
                        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int version))
                            return version;
                        break;
                    }
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw new BackupIntegrityException(backupId, "the manifest is not valid JSON (truncated or tampered with): " + e.Message, e);
        }
        throw new BackupIntegrityException(backupId, "the manifest has no numeric formatVersion; it is not a NativeHnsw backup manifest");
    }

    /// <summary>The entry of the file with <paramref name="role"/>; throws naming the backup when there is none.</summary>
    public BackupFileEntry FileWithRole(string role) =>
        Files.FirstOrDefault(f => f.Role == role) ?? throw new BackupIntegrityException(Id, $"the manifest lists no '{role}' file");

    internal void Validate(string backupId)
    {
        if (Id != backupId)
            throw new BackupIntegrityException(backupId, $"the manifest names itself '{Id}', not '{backupId}' (moved or tampered with)");
        if (!IsValidName(Id))
            throw new BackupIntegrityException(backupId, "the manifest's id is not a valid backup name");
        if (CreatedUtc.Offset != TimeSpan.Zero)
            throw new BackupIntegrityException(backupId, "createdUtc must be in UTC");
        if (Kind == BackupKind.Full && Parent is not null)
            throw new BackupIntegrityException(backupId, "a full backup cannot have a parent");
        if (Kind == BackupKind.Incremental && !IsValidName(Parent))
            throw new BackupIntegrityException(backupId, "an incremental backup must name a valid parent");
        if (Files is null || Files.Count == 0)
            throw new BackupIntegrityException(backupId, "the manifest lists no files");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Files)
        {
            if (file is null || !IsValidName(file.Name) || file.Name == FileName)
                throw new BackupIntegrityException(backupId, $"the manifest lists an invalid file name '{file?.Name}'");
            if (!seen.Add(file.Name))
                throw new BackupIntegrityException(backupId, $"the manifest lists '{file.Name}' twice");
            if (file.Length < 0)
                throw new BackupIntegrityException(backupId, $"the manifest gives '{file.Name}' a negative length");
            if (file.Sha256 is null || !Sha256Hex().IsMatch(file.Sha256))
                throw new BackupIntegrityException(backupId, $"the manifest's SHA-256 of '{file.Name}' is not 64 lowercase hex digits");
            if (string.IsNullOrEmpty(file.Role))
                throw new BackupIntegrityException(backupId, $"the manifest gives '{file.Name}' no role");
            if (file.Chunks is { } chunks)
            {
                if (FormatVersion < 2)
                    throw new BackupIntegrityException(backupId, $"the manifest is format version {FormatVersion} but lists chunks for '{file.Name}' (chunks are format 2 and later)");
                long sum = 0;
                if (chunks is ChunkListText text)
                {
                    // Its keys were checked as it was read; its chunks are made only when something reads them.
                    if (!text.LengthsInRange)
                        throw MalformedChunk(backupId, file);
                    sum = text.TotalLength;
                }
                else
                {
                    foreach (var chunk in chunks)
                    {
                        if (chunk is null || !ChunkKeys.IsKey(chunk.Sha256) || chunk.Length is < 1 or > ChunkLayout.MaxChunkBytes)
                            throw MalformedChunk(backupId, file);
                        sum += chunk.Length;
                    }
                }
                if (sum != file.Length)
                    throw new BackupIntegrityException(backupId, $"the chunks of '{file.Name}' add up to {sum} bytes, the manifest says {file.Length}");
            }
        }
        if (SourceKind == BackupSourceKind.Index && Index is null)
            throw new BackupIntegrityException(backupId, "an index backup's manifest has no index summary");
        if (SourceKind == BackupSourceKind.Store && Store is null)
            throw new BackupIntegrityException(backupId, "a store backup's manifest has no store summary");
        if (Store is { } store)
        {
            if (store.Sequence < 0 || store.Collections is null || store.Collections.Any(c => c is null || c.Records < 0 || c.Dimensions < 1 || c.SampleIds is null))
                throw new BackupIntegrityException(backupId, "the manifest's store summary is inconsistent");
            foreach (var c in store.Collections)
            {
                if ((c.CheckpointFile is null) != (c.CheckpointPath is null)
                    || (c.CheckpointPath is not null && !CheckpointPathPattern().IsMatch(c.CheckpointPath))
                    || (c.CheckpointFile is not null && !seen.Contains(c.CheckpointFile)))
                    throw new BackupIntegrityException(backupId, $"the manifest's checkpoint of collection '{c.Name}' is malformed or not among its files");
            }
        }
        if (Index is { } index && (index.Dimensions < 1 || index.Count < 0 || index.NodeCount < index.Count || index.DeletedCount < 0))
            throw new BackupIntegrityException(backupId, "the manifest's index counts are inconsistent");
        if (Probe is { } probe && (probe.K < 1 || probe.Ef < 1 || probe.Expected is null || probe.Expected.Any(e => e is null)))
            throw new BackupIntegrityException(backupId, "the manifest's probe queries are malformed");
    }

    private static BackupIntegrityException MalformedChunk(string backupId, BackupFileEntry file) =>
        new(backupId, $"the manifest lists a malformed chunk of '{file.Name}' (a key of 64 lowercase hex digits and 1 .. {ChunkLayout.MaxChunkBytes} bytes each)");

    private static string ReadLibraryVersion()
    {
        string? version = typeof(BackupManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(version))
            return "0.0.0";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]*$")]
    private static partial Regex SafeName();

    [GeneratedRegex("^collections/[0-9]{1,19}/index-[0-9]{20}\\.nhnsw$")]
    private static partial Regex CheckpointPathPattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}
