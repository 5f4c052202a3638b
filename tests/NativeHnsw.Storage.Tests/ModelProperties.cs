using FsCheck;
using FsCheck.Fluent;
using NativeHnsw.Testing;

namespace NativeHnsw.Storage.Tests;

/// <summary>
/// Random sequences of add / upsert / update / delete (by ids and by filter), with reopens and checkpoints at random
/// points, applied to a collection and to an in-memory model: get and query answers must be the same after every
/// step. Each case is one seed; a failure prints it and the step.
/// </summary>
public sealed class ModelProperties
{
    private const int Dims = 4;
    private static readonly string[] s_ids = [.. Enumerable.Range(0, 14).Select(i => $"id{i}")];
    private static readonly string[] s_tags = ["a", "b", "c"];

    private sealed record ModelRecord(long Order, float[] Vector, string? Document, Dictionary<string, object> Metadata);

    [FsCheck.Xunit.Property(MaxTest = 25)]
    public Property Operations_WithReopensAndCheckpoints_MatchInMemoryModel() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var random = new Random(seed);
            using var folder = new TempDirectory();
            var options = new StoreOptions
            {
                Checkpoints = new CheckpointPolicy { EveryChanges = random.Next(0, 6), OnDispose = random.Next(2) == 0, Interval = null, AfterReplayOf = random.Next(0, 4) },
                Log = _ => { },
            };
            var model = new Dictionary<string, ModelRecord>(StringComparer.Ordinal);
            long order = 0;
            var client = new PersistentClient(folder.Path, options);
            try
            {
                var collection = client.CreateCollection("p", new CollectionOptions { Dimensions = Dims, Metric = DistanceMetric.L2, M = 4, EfConstruction = 32 });
                int steps = random.Next(5, 30);
                for (int step = 0; step < steps; step++)
                {
                    string where = $"seed {seed}, step {step}";
                    switch (random.Next(8))
                    {
                        case 0:
                        case 1:
                        case 2:
                        {
                            var batch = RandomBatch(random);
                            bool valid = batch.All(r => !model.ContainsKey(r.Id));
                            var e = Record.Exception(() => collection.Add([.. batch.Select(r => r.Id)], [.. batch.Select(r => r.Vector!)],
                                [.. batch.Select(r => r.Document)], [.. batch.Select(r => (IReadOnlyDictionary<string, object?>?)r.Patch)]));
                            Assert.True(valid ? e is null : e is InvalidRecordException, $"{where}: add gave {e}");
                            if (valid)
                            {
                                foreach (var r in batch)
                                    model[r.Id] = new ModelRecord(order++, r.Vector!, r.Document, Merge([], r.Patch));
                            }
                            break;
                        }
                        case 3:
                        {
                            var batch = RandomBatch(random);
                            collection.Upsert([.. batch.Select(r => r.Id)], [.. batch.Select(r => r.Vector!)],
                                [.. batch.Select(r => r.Document)], [.. batch.Select(r => (IReadOnlyDictionary<string, object?>?)r.Patch)]);
                            foreach (var r in batch)
                            {
                                model[r.Id] = model.TryGetValue(r.Id, out var old)
                                    ? new ModelRecord(old.Order, r.Vector!, r.Document ?? old.Document, Merge(old.Metadata, r.Patch))
                                    : new ModelRecord(order++, r.Vector!, r.Document, Merge([], r.Patch));
                            }
                            break;
                        }
                        case 4:
                        {
                            var batch = RandomBatch(random);
                            bool withVectors = random.Next(2) == 0;
                            bool valid = batch.All(r => model.ContainsKey(r.Id));
                            var e = Record.Exception(() => collection.Update([.. batch.Select(r => r.Id)], withVectors ? [.. batch.Select(r => r.Vector!)] : null,
                                [.. batch.Select(r => r.Document)], [.. batch.Select(r => (IReadOnlyDictionary<string, object?>?)r.Patch)]));
                            Assert.True(valid ? e is null : e is InvalidRecordException, $"{where}: update gave {e}");
                            if (valid)
                            {
                                foreach (var r in batch)
                                {
                                    var old = model[r.Id];
                                    model[r.Id] = new ModelRecord(old.Order, withVectors ? r.Vector! : old.Vector, r.Document ?? old.Document, Merge(old.Metadata, r.Patch));
                                }
                            }
                            break;
                        }
                        case 5:
                        {
                            var ids = s_ids.Where(_ => random.Next(4) == 0).ToArray();
                            int deleted = collection.Delete(ids);
                            Assert.Equal(ids.Count(model.Remove), deleted);
                            break;
                        }
                        case 6:
                        {
                            var filter = Where.Eq("tag", s_tags[random.Next(s_tags.Length)]);
                            var doomed = model.Where(p => Meta.Matches(filter, p.Value.Metadata)).Select(p => p.Key).ToList();
                            Assert.Equal(doomed.Count, collection.Delete(where: filter));
                            doomed.ForEach(id => model.Remove(id));
                            break;
                        }
                        default:
                            if (random.Next(2) == 0)
                            {
                                collection.Checkpoint();
                            }
                            else
                            {
                                client.Dispose();
                                client = new PersistentClient(folder.Path, options);
                                collection = client.GetCollection("p");
                            }
                            break;
                    }
                    Compare(collection, model, random, where);
                }
                return true;
            }
            finally
            {
                client.Dispose();
            }
        });

    private static void Compare(Collection collection, Dictionary<string, ModelRecord> model, Random random, string where)
    {
        var expected = model.OrderBy(p => p.Value.Order).ToList();
        var actual = collection.Get(include: Include.All);
        Assert.True(expected.Select(p => p.Key).SequenceEqual(actual.Select(r => r.Id)),
            $"{where}: get gave [{string.Join(",", actual.Select(r => r.Id))}], the model [{string.Join(",", expected.Select(p => p.Key))}]");
        for (int i = 0; i < actual.Count; i++)
        {
            var m = expected[i].Value;
            Assert.True(m.Vector.AsSpan().SequenceEqual(actual[i].Embedding), $"{where}: vector of {actual[i].Id}");
            Assert.True(m.Document == actual[i].Document, $"{where}: document of {actual[i].Id}");
            Assert.True(Meta.Text(m.Metadata.Count == 0 ? null : m.Metadata) == Meta.Text(actual[i].Metadata), $"{where}: metadata of {actual[i].Id}");
        }
        Assert.Empty(collection.CheckIndexAgreesWithDatabase());
        // The metadata index must follow every merge, key removal and delete: a filter on each key agrees with the model.
        foreach (var check in new[]
        {
            Where.Eq("tag", s_tags[random.Next(s_tags.Length)]), Where.Nin("tag", "a", "b"), Where.Gte("n", (long)random.Next(5)),
            Where.Lt("x", random.Next(10) * 0.25), Where.Eq("flag", random.Next(2) == 0), Where.Or(Where.Eq("n", 2L), Where.Ne("flag", true)),
        })
        {
            var selected = expected.Where(p => Meta.Matches(check, p.Value.Metadata)).Select(p => p.Key);
            var got = collection.Get(where: check, include: Include.None).Select(r => r.Id);
            Assert.True(selected.SequenceEqual(got), $"{where}: get where {check} gave [{string.Join(",", got)}], the model [{string.Join(",", selected)}]");
        }
        var query = RandomVector(random);
        var filter = random.Next(2) == 0 ? null : Where.Ne("tag", "a");
        var hits = collection.Query(query, 5, filter, Include.Distances, ef: 200);
        var truth = expected.Where(p => filter is null || Meta.Matches(filter, p.Value.Metadata))
            .Select(p => (p.Key, Distance: BruteForce.Distance(query, p.Value.Vector, DistanceMetric.L2))).OrderBy(x => x.Distance).Take(5).ToList();
        Assert.True(truth.Count == hits.Count, $"{where}: query gave {hits.Count} hits, brute force {truth.Count}");
        for (int i = 0; i < hits.Count; i++)
            Assert.True(Math.Abs(truth[i].Distance - hits[i].Distance) < 1e-4, $"{where}: rank {i}: {hits[i].Id} at {hits[i].Distance}, expected {truth[i].Key} at {truth[i].Distance}");
    }

    private sealed record Input(string Id, float[]? Vector, string? Document, Dictionary<string, object?>? Patch);

    private static List<Input> RandomBatch(Random random)
    {
        int n = random.Next(1, 5);
        return [.. s_ids.OrderBy(_ => random.Next()).Take(n).Select(id => new Input(id, RandomVector(random),
            random.Next(3) == 0 ? null : $"doc {random.Next(100)}", random.Next(3) == 0 ? null : RandomPatch(random)))];
    }

    private static Dictionary<string, object?> RandomPatch(Random random)
    {
        var patch = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (random.Next(2) == 0)
            patch["tag"] = random.Next(4) == 0 ? null : s_tags[random.Next(s_tags.Length)];
        if (random.Next(2) == 0)
            patch["n"] = random.Next(4) == 0 ? null : (long)random.Next(5);
        if (random.Next(3) == 0)
            patch["x"] = random.Next(10) * 0.25;
        if (random.Next(3) == 0)
            patch["flag"] = random.Next(2) == 0;
        return patch;
    }

    private static Dictionary<string, object> Merge(Dictionary<string, object> old, Dictionary<string, object?>? patch)
    {
        var merged = new Dictionary<string, object>(old, StringComparer.Ordinal);
        foreach (var (key, value) in patch ?? [])
        {
            if (value is null)
                merged.Remove(key);
            else
                merged[key] = value;
        }
        return merged;
    }

    private static float[] RandomVector(Random random) => [.. Enumerable.Range(0, Dims).Select(_ => (float)(random.NextDouble() * 2 - 1))];
}
