using Microsoft.Extensions.Time.Testing;
using NativeHnsw.Storage;

namespace NativeHnsw.Backup.Tests;

/// <summary>Change segments on the S3 target, against s3rver on loopback: shipped, listed, restored to a moment, and a missing one named.</summary>
public sealed class S3ShippingTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task Segments_OnS3_RestoreToAMoment_AndAMissingOneIsNamed()
    {
        if (s3.SkipReason is { } reason)
            Assert.Skip(reason);
        using var dir = new TempDirectory();
        using var target = s3.Target("ship-" + Guid.NewGuid().ToString("N"));
        var time = new FakeTimeProvider(ShippingTests.Origin);
        string store = dir.File("store");
        var moments = new List<(DateTimeOffset At, string Content)>();
        using (var client = new PersistentClient(store, ShippingTests.Writer(time)))
        using (var shipper = new ChangeShipper(store, target, ShippingTests.Shipper(time)))
        {
            var docs = client.CreateCollection("docs", new CollectionOptions { Dimensions = 3 });
            Assert.NotNull(ShippingTests.Ship(shipper).Snapshot);
            var random = new Random(3);
            for (int i = 0; i < 12; i++)
            {
                time.Advance(TimeSpan.FromMilliseconds(700));
                RandomHistory.Op(client, random);
                moments.Add((time.GetUtcNow(), StoreDump.Describe(StoreDump.Of(client))));
                if (i % 3 == 2)
                    ShippingTests.Ship(shipper);
            }
            ShippingTests.Ship(shipper);
        }
        var segments = SegmentStore.For(target).List();
        Assert.True(segments.Count >= 4);
        Assert.Empty(target.ListPartialIds()); // segments live under a name that is never a backup's
        var middle = moments[5];
        PointInTimeRestore.Restore(target, PointInTime.Instant(middle.At), dir.File("middle"));
        Assert.Equal(middle.Content, StoreDump.Describe(StoreDump.Of(dir.File("middle"))));

        var lost = segments[^2];
        await target.Client.DeleteObjectAsync(S3rverFixture.Bucket, target.KeyOf(SegmentStore.FolderName, lost.Name), TestContext.Current.CancellationToken);
        var e = Assert.Throws<BackupSegmentMissingException>(() => PointInTimeRestore.Restore(target, PointInTime.Instant(moments[^1].At), dir.File("end")));
        Assert.Equal((lost.FirstSequence, lost.LastSequence), (e.FirstSequence, e.LastSequence));
    }
}
