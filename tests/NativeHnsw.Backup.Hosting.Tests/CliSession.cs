using NativeHnsw.Cli;

namespace NativeHnsw.Backup.Hosting.Tests;

/// <summary>Runs <c>nhnsw</c> through its real entry point, in-process, capturing what it prints.</summary>
internal static class CliSession
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = NhnswCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
