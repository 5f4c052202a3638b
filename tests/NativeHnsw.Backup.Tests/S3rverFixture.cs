using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NativeHnsw.Backup.Tests;

/// <summary>
/// An s3rver (a fake S3 in Node) on a free loopback port, with bucket <see cref="Bucket"/>, started for the test
/// class and killed (with its process tree) after it: <c>npx --yes s3rver@3.7.1 -d DIR -a 127.0.0.1 -p PORT --configure-bucket NAME</c>.
/// Its access key and secret are both <c>S3RVER</c>. When <c>npx</c> is not on the PATH the tests skip, saying so.
/// </summary>
public sealed class S3rverFixture : IDisposable
{
    public const string Bucket = "nhnsw";
    public const string Version = "3.7.1";

    private readonly Process? _process;
    private readonly TempDirectory _data = new();
    private readonly System.Text.StringBuilder _output = new();

    public S3rverFixture()
    {
        Port = FreePort();
        string? npx = FindOnPath("npx");
        if (npx is null)
        {
            // CI installs Node.js and s3rver (.ci/run); there a missing npx is a broken setup, not a reason to skip.
            if (Environment.GetEnvironmentVariable("CI") == "true")
                throw new InvalidOperationException("npx (Node.js) is not on the PATH under CI=true; .ci/run installs nodejs, npm and s3rver.");
            SkipReason = "npx (Node.js) is not on the PATH; the S3 target tests need it to run s3rver";
            return;
        }
        var start = new ProcessStartInfo(npx)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--yes", "s3rver@" + Version, "-d", _data.Path, "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--configure-bucket", Bucket })
            start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // npx may download s3rver first.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"s3rver exited ({_process.ExitCode}) before listening: {Output}");
            if (Listening(Port) && Output.Contains("listening", StringComparison.OrdinalIgnoreCase))
                return;
            Thread.Sleep(100);
        }
        throw new InvalidOperationException($"s3rver did not listen on 127.0.0.1:{Port} within 120 s: {Output}");
    }

    public int Port { get; }

    public string? SkipReason { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    private string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public S3Target Target(string prefix, string accessKey = "S3RVER", string secretKey = "S3RVER", int partSize = S3TargetOptions.MinimumPartSize) =>
        new(new S3TargetOptions { Endpoint = Endpoint, Bucket = Bucket, Prefix = prefix, AccessKey = accessKey, SecretKey = secretKey, PartSize = partSize, MaxRetries = 0 });

    public void Dispose()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
            _process.Dispose();
        }
        _data.Dispose();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    internal static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
