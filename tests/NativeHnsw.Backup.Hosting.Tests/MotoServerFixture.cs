using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using NativeHnsw.Backup.Tests;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>
/// moto's S3 server (<c>moto_server -H 127.0.0.1 -p PORT</c>, Python) on a free loopback port, with bucket
/// <see cref="Bucket"/>: unlike s3rver 3.7 it honours conditional PUTs (<c>If-None-Match: *</c>, <c>If-Match</c>), which
/// leases on object storage rely on. Killed after the test class. When <c>moto_server</c> is not on the PATH the
/// tests skip, saying so.
/// </summary>
public sealed class MotoServerFixture : IDisposable
{
    public const string Bucket = "nhnsw-leases";

    private readonly Process? _process;

    public MotoServerFixture()
    {
        Port = S3rverFixture.FreePort();
        string? server = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "moto_server")).FirstOrDefault(File.Exists);
        if (server is null)
        {
            SkipReason = "moto_server (pip package moto[server]) is not on the PATH; the conditional-write lease tests need it";
            return;
        }
        var start = new ProcessStartInfo(server) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-H", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!S3rverFixture.Listening(Port))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"moto_server exited ({_process.ExitCode}) before listening");
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                throw new InvalidOperationException($"moto_server did not listen on 127.0.0.1:{Port} within 60 s");
            Thread.Sleep(100);
        }
        using var client = new AmazonS3Client(new BasicAWSCredentials("moto", "moto"), new AmazonS3Config { ServiceURL = Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        client.PutBucketAsync(Bucket).GetAwaiter().GetResult();
    }

    public int Port { get; }

    public string? SkipReason { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    public S3Target Target(string prefix) =>
        new(new S3TargetOptions { Endpoint = Endpoint, Bucket = Bucket, Prefix = prefix, AccessKey = "moto", SecretKey = "moto", MaxRetries = 0 });

    public void Dispose()
    {
        if (_process is null)
            return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
