using NativeHnsw.Samples.Rag;

return RagApp.Run(args, Console.Out, Console.Error);
