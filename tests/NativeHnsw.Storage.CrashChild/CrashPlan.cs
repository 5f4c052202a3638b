namespace NativeHnsw.Storage.CrashChild;

/// <summary>
/// The deterministic sequence of writes the crash test runs; compiled into the child and the test, so the test can
/// compute the exact expected state after any number of steps. Step s is one call, one transaction:
/// s % 4 in 0..2: add 25 new records; s % 4 == 3: upsert step s−1's records with new vectors and metadata
/// (when s / 4 is even) or delete step s−2's records (when odd).
/// </summary>
public static class CrashPlan
{
    public const int Dimensions = 16;
    public const int BatchSize = 25;
    public const string Collection = "crash";

    public static CollectionOptions Options { get; } = new() { Dimensions = Dimensions, Metric = DistanceMetric.L2, M = 8, EfConstruction = 40 };

    public static StoreOptions StoreOptions(Durability durability) => new()
    {
        Durability = durability,
        // Frequent checkpoints, so kills land inside them too; none on dispose or after replay, so replay is exercised.
        Checkpoints = new CheckpointPolicy { EveryChanges = 60, Interval = null, OnDispose = false, AfterReplayOf = 0 },
        Log = _ => { },
    };

    public static string Id(int step, int j) => $"s{step}-{j}";

    public static float[] Vector(int step, int j, int version)
    {
        var random = new Random(step * 7919 + j * 31 + version);
        var v = new float[Dimensions];
        for (int i = 0; i < v.Length; i++)
            v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }

    public static void Apply(Collection collection, int step)
    {
        var ids = Enumerable.Range(0, BatchSize).ToArray();
        switch (step % 4)
        {
            case 3 when step / 4 % 2 == 0:
                collection.Upsert([.. ids.Select(j => Id(step - 1, j))], [.. ids.Select(j => Vector(step - 1, j, 1))], null,
                    [.. ids.Select(j => (IReadOnlyDictionary<string, object?>?)new Dictionary<string, object?> { ["v"] = 1L })]);
                break;
            case 3:
                collection.Delete([.. ids.Select(j => Id(step - 2, j))]);
                break;
            default:
                collection.Add([.. ids.Select(j => Id(step, j))], [.. ids.Select(j => Vector(step, j, 0))], [.. ids.Select(j => (string?)$"doc {step} {j}")],
                    [.. ids.Select(j => (IReadOnlyDictionary<string, object?>?)new Dictionary<string, object?> { ["step"] = (long)step, ["j"] = (long)j })]);
                break;
        }
    }

    /// <summary>The expected records (vector, document, metadata JSON-ish text) after applying step <paramref name="step"/> to <paramref name="state"/>.</summary>
    public static void ApplyToModel(Dictionary<string, (float[] Vector, string Document, string Metadata)> state, int step)
    {
        for (int j = 0; j < BatchSize; j++)
        {
            switch (step % 4)
            {
                case 3 when step / 4 % 2 == 0:
                    string id = Id(step - 1, j);
                    state[id] = (Vector(step - 1, j, 1), state[id].Document, $"j={j},step={step - 1},v=1");
                    break;
                case 3:
                    state.Remove(Id(step - 2, j));
                    break;
                default:
                    state[Id(step, j)] = (Vector(step, j, 0), $"doc {step} {j}", $"j={j},step={step}");
                    break;
            }
        }
    }
}
