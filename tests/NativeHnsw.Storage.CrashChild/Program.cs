using NativeHnsw.Storage;
using NativeHnsw.Storage.CrashChild;

// Usage: NativeHnsw.Storage.CrashChild <store> <first step> <Process|Strict>
// Applies CrashPlan steps from <first step> on, printing "ack N" once step N has returned, until killed.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: NativeHnsw.Storage.CrashChild <store> <first step> <Process|Strict>");
    return 2;
}
var durability = Enum.Parse<Durability>(args[2]);
using var client = new PersistentClient(args[0], CrashPlan.StoreOptions(durability));
var collection = client.GetOrCreateCollection(CrashPlan.Collection, CrashPlan.Options);
Console.WriteLine("ready");
Console.Out.Flush();
for (int step = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture); ; step++)
{
    CrashPlan.Apply(collection, step);
    Console.WriteLine($"ack {step}");
    Console.Out.Flush();
}
