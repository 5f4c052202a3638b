namespace NativeHnsw.Backup;

/// <summary>Which backup a restore takes: the latest, one by id, or the newest taken at or before an instant.</summary>
public sealed record BackupSelector
{
    private BackupSelector(string? id, DateTimeOffset? atOrBefore)
    {
        Id = id;
        AtOrBefore = atOrBefore;
    }

    public static BackupSelector Latest { get; } = new(null, null);

    public string? Id { get; }

    public DateTimeOffset? AtOrBefore { get; }

    public static BackupSelector ById(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return new(id, null);
    }

    public static BackupSelector Before(DateTimeOffset instant) => new(null, instant.ToUniversalTime());

    public override string ToString() =>
        Id is not null ? $"backup '{Id}'"
        : AtOrBefore is { } t ? $"the newest backup at or before {t:yyyy-MM-dd'T'HH:mm:ss'Z'}"
        : "the latest backup";
}
