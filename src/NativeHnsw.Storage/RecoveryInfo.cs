using System.Text;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>How a collection's index was brought up to date when it was opened.</summary>
/// <param name="Checkpoint">The checkpoint file loaded, or null when the index was built from the database.</param>
/// <param name="CheckpointSequence">The last change the checkpoint includes (0 with none).</param>
/// <param name="ReplayedRecords">Records re-inserted or deleted after loading the checkpoint (or inserted by a rebuild).</param>
/// <param name="DamagedCheckpoints">Checkpoints that failed to load, each with the reason; the open fell back past them.</param>
/// <param name="Elapsed">Time taken to bring the index up.</param>
public sealed record RecoveryInfo(string? Checkpoint, long CheckpointSequence, int ReplayedRecords, IReadOnlyList<string> DamagedCheckpoints, TimeSpan Elapsed)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Checkpoint = ").Append(Checkpoint ?? "none (rebuilt from the database)")
            .Append(", CheckpointSequence = ").Append(CheckpointSequence.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append(", ReplayedRecords = ").Append(ReplayedRecords.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append(", DamagedCheckpoints = ");
        Printing.List(builder, DamagedCheckpoints);
        builder.Append(", Elapsed = ").Append(Elapsed.TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)).Append(" ms");
        return true;
    }
}
