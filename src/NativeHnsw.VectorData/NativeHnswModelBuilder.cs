using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace NativeHnsw.VectorData;

/// <summary>
/// What a record may hold here: one key (string, Guid, int or long), exactly one vector (our collections hold one per
/// record), and data properties of the types our metadata stores natively.
/// </summary>
internal sealed class NativeHnswModelBuilder() : CollectionModelBuilder(s_options)
{
    public const string SupportedVectorTypes = "ReadOnlyMemory<float>, float[], Embedding<float>";

    public const string SupportedDataTypes = "string, bool, int, long, short, byte, float, double (and their nullable forms)";

    private static readonly CollectionModelBuildingOptions s_options = new()
    {
        RequiresAtLeastOneVector = true,
        SupportsMultipleVectors = false,
    };

    private static readonly HashSet<Type> s_dataTypes =
        [typeof(string), typeof(bool), typeof(int), typeof(long), typeof(short), typeof(byte), typeof(float), typeof(double)];

    protected override bool IsDataPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedDataTypes;
        return s_dataTypes.Contains(Nullable.GetUnderlyingType(type) ?? type);
    }

    protected override bool IsVectorPropertyTypeValid(Type type, [NotNullWhen(false)] out string? supportedTypes)
    {
        supportedTypes = SupportedVectorTypes;
        return IsNativeVectorType(type);
    }

    public static bool IsNativeVectorType(Type type) =>
        type == typeof(ReadOnlyMemory<float>) || type == typeof(ReadOnlyMemory<float>?) || type == typeof(float[]) || type == typeof(Embedding<float>);

    protected override void ValidateKeyProperty(KeyPropertyModel keyProperty)
    {
        base.ValidateKeyProperty(keyProperty);
        if (!KeyCodec.SupportedTypes.Contains(keyProperty.Type))
            throw new NotSupportedException($"key property '{keyProperty.ModelName}' is {keyProperty.Type.Name}; NativeHnsw keys are {KeyCodec.SupportedTypeNames}.");
    }

    protected override void ValidateProperty(PropertyModel propertyModel, VectorStoreCollectionDefinition? definition)
    {
        base.ValidateProperty(propertyModel, definition);
        if (propertyModel is VectorPropertyModel vector)
        {
            DistanceMapping.Metric(vector.DistanceFunction);
            if (vector.IndexKind is not (null or IndexKind.Hnsw))
                throw new NotSupportedException($"vector property '{vector.ModelName}': index kind '{vector.IndexKind}' is not supported; NativeHnsw indexes are HNSW (IndexKind.Hnsw).");
            if (vector.Dimensions < 1)
                throw new ArgumentException($"vector property '{vector.ModelName}' needs a positive number of dimensions (it has {vector.Dimensions}).");
        }
        if (propertyModel is DataPropertyModel data && data.IsFullTextIndexed)
            throw new NotSupportedException($"data property '{data.ModelName}' asks for full-text indexing, which NativeHnsw does not have.");
    }
}
