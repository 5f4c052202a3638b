using System.Runtime.ExceptionServices;
using NativeHnsw.Distance;
using NativeHnsw.Graph;

namespace NativeHnsw.IndexFiles;

/// <summary>
/// The checks a <see cref="LoadCheck.Checksums"/> load leaves for later: the graph's invariants with the label index,
/// the vector rows and the compact rows, run over the loaded blocks before the index is first changed, saved or
/// exported (an insert follows links to read rows and writes into link lists, which a damaged graph would send outside
/// the blocks; a search needs none of this, its walk checks every id it reads). Runs once; a problem it finds is thrown
/// again to every later caller, so a damaged index stays searchable but is never changed.
/// </summary>
internal sealed class DeferredCheck(string path, IndexHeader header, int[]? labelIndex, Int8Quantizer? quantizer)
{
    private readonly Lock _gate = new();
    private int[]? _labelIndex = labelIndex;
    private ExceptionDispatchInfo? _failure;
    private bool _passed;

    /// <summary>Runs the checks on <paramref name="storage"/> (the blocks as loaded) the first time; throws what they found.</summary>
    public void Run(GraphStorage storage)
    {
        lock (_gate)
        {
            if (!_passed && _failure is null)
            {
                try
                {
                    GraphValidator.Check(path, header, storage, _labelIndex);
                    GraphValidator.CheckRows(path, header, storage, header.NodeCount);
                    GraphValidator.CheckCompactRows(path, header, storage, quantizer, 0, header.NodeCount);
                    _passed = true;
                    _labelIndex = null;
                }
                catch (IndexFormatException e)
                {
                    _failure = ExceptionDispatchInfo.Capture(e);
                }
            }
            _failure?.Throw();
        }
    }
}
