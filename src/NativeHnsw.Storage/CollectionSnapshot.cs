using System.Text;
using NativeHnsw.Storage.Internal;

namespace NativeHnsw.Storage;

/// <summary>One collection as a <see cref="StoreSnapshot"/> holds it.</summary>
/// <param name="Name">The collection's name.</param>
/// <param name="Id">Its id inside the store (names its folder of checkpoints).</param>
/// <param name="Options">Dimensions, metric and HNSW parameters.</param>
/// <param name="Records">Records in the snapshot.</param>
/// <param name="SampleIds">A few record ids chosen at random, for checks after a restore.</param>
/// <param name="CheckpointFile">The index checkpoint copied with it, relative to the snapshot folder; null when none was (the index is rebuilt on open).</param>
public sealed record CollectionSnapshot(string Name, long Id, CollectionOptions Options, long Records, IReadOnlyList<string> SampleIds, string? CheckpointFile)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name).Append(", Id = ").Append(Id.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append(", Options = ").Append(Options).Append(", Records = ").Append(Records.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Append(", SampleIds = ");
        Printing.List(builder, SampleIds);
        builder.Append(", CheckpointFile = ").Append(CheckpointFile ?? "none");
        return true;
    }
}
