using System.Globalization;

namespace NativeHnsw.Backup.Hosting;

/// <summary>
/// Money for people: two to four decimals (a small target's cost is a fraction of a cent), and a total that is the sum
/// of the amounts as shown, so a report's total always agrees with its rows (0.0002 and 0.00 add up to 0.0002, where
/// the unrounded sum would show 0.0003).
/// </summary>
internal static class CostText
{
    private const string Pattern = "0.00##";

    public static string Format(double amount) => Shown(amount).ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>The sum of <paramref name="amounts"/> each as <see cref="Format"/> shows it (none counts as 0).</summary>
    public static string Total(IEnumerable<double?> amounts) =>
        amounts.Sum(a => a is { } x ? Shown(x) : 0m).ToString(Pattern, CultureInfo.InvariantCulture);

    // Read back from the text, so the total rounds each row exactly as the row is printed.
    private static decimal Shown(double amount) =>
        decimal.Parse(amount.ToString(Pattern, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
}
