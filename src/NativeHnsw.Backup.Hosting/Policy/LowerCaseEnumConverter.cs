using System.Text.Json;
using System.Text.Json.Serialization;

namespace NativeHnsw.Backup.Hosting;

/// <summary>Enums as lower-case (kebab) names; numbers are refused, so a typo never maps to a member by accident.</summary>
public sealed class LowerCaseEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    public LowerCaseEnumConverter()
        : base(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
    {
    }
}
