using Microsoft.Extensions.AI;
using NativeHnsw.Embeddings;

namespace NativeHnsw.Embeddings.Tests;

public sealed class MiniLmEmbeddingGeneratorTests(GeneratorFixture fixture) : IClassFixture<GeneratorFixture>
{
    private readonly MiniLmEmbeddingGenerator _generator = fixture.Generator;

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += (double)a[i] * b[i];
        return (float)sum;
    }

    [Fact]
    public async Task Generate_SimilarSentences_AreCloserThanUnrelatedOnes()
    {
        var e = await _generator.GenerateAsync(
            ["A cat is sleeping on the sofa.", "The kitten naps on the couch.", "Quarterly revenue grew by eight percent.", "The stock market closed higher on strong earnings."],
            cancellationToken: TestContext.Current.CancellationToken);
        float catKitten = Dot(e[0].Vector.Span, e[1].Vector.Span);
        float catRevenue = Dot(e[0].Vector.Span, e[2].Vector.Span);
        float revenueMarket = Dot(e[2].Vector.Span, e[3].Vector.Span);
        float kittenMarket = Dot(e[1].Vector.Span, e[3].Vector.Span);
        Assert.True(catKitten > catRevenue + 0.2f, $"cat/kitten {catKitten} vs cat/revenue {catRevenue}");
        Assert.True(revenueMarket > kittenMarket + 0.1f, $"revenue/market {revenueMarket} vs kitten/market {kittenMarket}");
    }

    [Fact]
    public void Embed_EveryVector_HasUnitLengthAnd384Dimensions()
    {
        var vectors = _generator.Embed(["short", "A somewhat longer sentence about vector search and indexes.", "naïve café über straße"], TestContext.Current.CancellationToken);
        foreach (var v in vectors)
        {
            Assert.Equal(MiniLmEmbeddingGenerator.Dimensions, v.Length);
            Assert.InRange(MathF.Sqrt(Dot(v, v)), 0.999f, 1.001f);
            Assert.All(v, x => Assert.True(float.IsFinite(x)));
        }
    }

    [Fact]
    public void Embed_SameText_GivesBitIdenticalVectors()
    {
        using var other = new MiniLmEmbeddingGenerator(new MiniLmOptions { MaxDegreeOfParallelism = 1, BatchSize = 1 });
        string[] texts = ["Determinism matters for tests.", "Second text."];
        var a = _generator.Embed(texts, TestContext.Current.CancellationToken);
        var b = _generator.Embed(texts, TestContext.Current.CancellationToken);
        var c = other.Embed(texts, TestContext.Current.CancellationToken);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(a[i], b[i]);
            Assert.Equal(a[i], c[i]);
        }
    }

    [Fact]
    public void Embed_Batch_EqualsOneByOne()
    {
        // Ragged lengths and more texts than one batch, so padding and the parallel split are both exercised.
        var texts = Enumerable.Range(0, 70)
            .Select(i => string.Join(' ', Enumerable.Repeat($"word{i % 9}", 1 + (i * 7 % 23))) + $" sentence {i}.")
            .ToArray();
        using var batched = new MiniLmEmbeddingGenerator(new MiniLmOptions { BatchSize = 16, MaxDegreeOfParallelism = 2 });
        var all = batched.Embed(texts, TestContext.Current.CancellationToken);
        for (int i = 0; i < texts.Length; i += 5)
        {
            var single = _generator.Embed([texts[i]], TestContext.Current.CancellationToken)[0];
            for (int d = 0; d < single.Length; d++)
                Assert.True(MathF.Abs(single[d] - all[i][d]) <= 1e-5f, $"text {i}, component {d}: {single[d]} vs {all[i][d]}");
        }
    }

    [Fact]
    public async Task Generate_Metadata_NamesModelAndDimensions()
    {
        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal(MiniLmEmbeddingGenerator.ModelId, metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        var one = await _generator.GenerateAsync(["hello"], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(MiniLmEmbeddingGenerator.ModelId, one[0].ModelId);
        Assert.Equal(384, one[0].Dimensions);
        Assert.Same(_generator, _generator.GetService<MiniLmEmbeddingGenerator>());
        Assert.Null(_generator.GetService<string>());
    }

    [Fact]
    public async Task Generate_EmptyList_GivesEmptyResult()
    {
        var none = await _generator.GenerateAsync([], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(none);
    }

    [Theory]
    [InlineData(null, "is null")]
    [InlineData("", "is empty")]
    [InlineData(" \t\n", "only white space")]
    public async Task Generate_BadText_ThrowsNamingItsIndex(string? bad, string problem)
    {
        var e = await Assert.ThrowsAsync<EmbeddingInputException>(
            () => _generator.GenerateAsync(["fine", bad!], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(1, e.Index);
        Assert.Contains("text 1", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_NullValues_ThrowsArgumentNull() =>
        await Assert.ThrowsAsync<ArgumentNullException>(() => _generator.GenerateAsync(null!, cancellationToken: TestContext.Current.CancellationToken));

    [Fact]
    public async Task Generate_OtherDimensionsOrModel_IsRefused()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => _generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 768 }, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<NotSupportedException>(() => _generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "text-embedding-3-small" }, TestContext.Current.CancellationToken));
        var ok = await _generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 384, ModelId = "all-MiniLM-L6-v2" }, TestContext.Current.CancellationToken);
        Assert.Single(ok);
    }

    [Fact]
    public async Task Generate_CancelledToken_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _generator.GenerateAsync(["a", "b"], cancellationToken: cts.Token));
    }

    [Fact]
    public void Embed_CancelledMidway_ThrowsBeforeFinishing()
    {
        using var one = new MiniLmEmbeddingGenerator(new MiniLmOptions { BatchSize = 1, MaxDegreeOfParallelism = 1 });
        var texts = Enumerable.Range(0, 2_000).Select(i => $"sentence number {i}").ToArray();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = DateTime.UtcNow;
        Assert.ThrowsAny<OperationCanceledException>(() => one.Embed(texts, cts.Token));
        // 2,000 single-text runs take many seconds; a cancellation that is honoured between batches stops far sooner.
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Embed_AccentedText_MatchesItsUnaccentedForm()
    {
        // The reference tokenizer strips accents; without it "café" would become "caf [UNK]".
        var v = _generator.Embed(["Café crème at the hôtel", "Cafe creme at the hotel"], TestContext.Current.CancellationToken);
        Assert.Equal(v[0], v[1]);
    }

    [Fact]
    public void Embed_AfterDispose_ThrowsObjectDisposed()
    {
        var g = new MiniLmEmbeddingGenerator();
        g.Dispose();
        g.Dispose();
        Assert.Throws<ObjectDisposedException>(() => g.Embed(["x"], TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Options_Invalid_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEmbeddingGenerator(new MiniLmOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEmbeddingGenerator(new MiniLmOptions { MaxDegreeOfParallelism = 0 }));
    }
}
