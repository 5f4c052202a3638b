using Microsoft.Extensions.Logging;

namespace NativeHnsw.Backup.Hosting;

internal static partial class LogMessages
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Target {Target} holds an unusable backup (left alone): {Problem}")]
    public static partial void LogUnusableBackup(this ILogger logger, string target, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Report: target {Target} ({Tier}) holds {Count} backups, {Size}, {Cost} per month")]
    public static partial void LogTargetCost(this ILogger logger, string target, string tier, int count, string size, string cost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Capacity history of target {Target} not recorded: {Problem}")]
    public static partial void LogCapacityNotRecorded(this ILogger logger, string target, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Target {Target}: swept {Leftover}, left by a writer that never finished")]
    public static partial void LogLeftoverSwept(this ILogger logger, string target, string leftover);

    [LoggerMessage(Level = LogLevel.Information, Message = "Target {Target}: {Deleted} unreferenced chunks deleted ({DeletedBytes} bytes), {Kept} kept")]
    public static partial void LogChunksCollected(this ILogger logger, string target, int deleted, long deletedBytes, int kept);

    [LoggerMessage(Level = LogLevel.Information, Message = "Target {Target}: chunks not collected: {Reason}")]
    public static partial void LogChunksNotCollected(this ILogger logger, string target, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease on {Target} held by {Previous} expired at {Expired:o}; taken over by {Holder}")]
    private static partial void LogLeaseExpiredTakenOver(this ILogger logger, string target, string previous, DateTimeOffset expired, string holder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease on {Target} held by {Previous} until {Expires:o}: its process has ended; taken over by {Holder}")]
    private static partial void LogLeaseOfEndedProcessTakenOver(this ILogger logger, string target, string previous, DateTimeOffset expires, string holder);

    /// <summary>Says why <paramref name="holder"/> took <paramref name="previous"/>'s lease: it had expired, or its process had ended.</summary>
    public static void LogLeaseTakenOver(this ILogger logger, string target, LeaseRecord previous, DateTimeOffset now, string holder)
    {
        string who = $"{previous.Holder}@{previous.Host} pid {previous.Pid}";
        if (previous.ExpiresUtc > now)
            logger.LogLeaseOfEndedProcessTakenOver(target, who, previous.ExpiresUtc, holder);
        else
            logger.LogLeaseExpiredTakenOver(target, who, previous.ExpiresUtc, holder);
    }
}
