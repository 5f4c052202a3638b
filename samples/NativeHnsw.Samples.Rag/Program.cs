using NativeHnsw.Samples.Rag;

return RagApp.Run(args, Console.In, Console.Out, Console.Error);
