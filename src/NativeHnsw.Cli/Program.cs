using NativeHnsw.Cli;

return NhnswCli.Run(args);
