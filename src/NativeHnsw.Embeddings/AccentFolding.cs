namespace NativeHnsw.Embeddings;

/// <summary>
/// Accent folding without ICU (the build runs with invariant globalization, where <c>string.Normalize</c> leaves text
/// as it is): each precomposed Latin, Greek and Cyrillic letter mapped to its base letter, which is what NFD followed
/// by dropping the nonspacing marks gives. The tables were generated from Unicode 14.0.0 data (Python's unicodedata):
/// for each code point, NFD with the nonspacing marks removed, when that leaves one other character; '\0' where not.
/// </summary>
internal static class AccentFolding
{
    private const int LatinStart = 0x00C0;

    // U+00C0..U+024F: 252 letters fold.
    private const string LatinTable = "AAAAAA\0CEEEEIIII\0NOOOOO\0\0UUUUY\0\0aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0yAaAaAaCcCcCcCcDd\0\0EeEeEeEeEeGgGgGgGgHh\0\0IiIiIiIiI\0\0\0JjKk\0LlLlLl\0\0\0\0NnNnNn\0\0\0OoOoOo\0\0RrRrRrSsSsSsSsTtTt\0\0UuUuUuUuUuUuWwYyYZzZzZz\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0Oo\0\0\0\0\0\0\0\0\0\0\0\0\0Uu\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0AaIiOoUuUuUuUuUu\0AaAa\u00c6\u00e6\0\0GgKkOoOo\u01b7\u0292j\0\0\0Gg\0\0NnAa\u00c6\u00e6\u00d8\u00f8AaAaEeEeIiIiOoOoRrRrUuUuSsTt\0\0Hh\0\0\0\0\0\0AaEeOoOoOoOoYy\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

    private const int GreekCyrillicStart = 0x0370;

    // U+0370..U+04FF: 78 letters fold.
    private const string GreekCyrillicTable = "\0\0\0\0\u02b9\0\0\0\0\0\0\0\0\0;\0\0\0\0\0\0\u00a8\u0391\u00b7\u0395\u0397\u0399\0\u039f\0\u03a5\u03a9\u03b9\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\u0399\u03a5\u03b1\u03b5\u03b7\u03b9\u03c5\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\u03b9\u03c5\u03bf\u03c5\u03c9\0\0\0\0\u03d2\u03d2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\u0415\u0415\0\u0413\0\0\0\u0406\0\0\0\0\u041a\u0418\u0423\0\0\0\0\0\0\0\0\0\0\u0418\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\u0438\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\u0435\u0435\0\u0433\0\0\0\u0456\0\0\0\0\u043a\u0438\u0443\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\u0474\u0475\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\u0416\u0436\0\0\0\0\0\0\0\0\0\0\0\0\0\u0410\u0430\u0410\u0430\0\0\u0415\u0435\0\0\u04d8\u04d9\u0416\u0436\u0417\u0437\0\0\u0418\u0438\u0418\u0438\u041e\u043e\0\0\u04e8\u04e9\u042d\u044d\u0423\u0443\u0423\u0443\u0423\u0443\u0427\u0447\0\0\u042b\u044b\0\0\0\0\0\0";

    private const int LatinExtendedAdditionalStart = 0x1E00;

    // U+1E00..U+1EFF: 245 letters fold.
    private const string LatinExtendedAdditionalTable = "AaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMmMmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVvWwWwWwWwWwXxXxYyZzZzZzhtwy\0\u017f\0\0\0\0AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy\0\0\0\0\0\0";

    /// <summary>The base letter of <paramref name="c"/>, or <paramref name="c"/> itself when it has no accent to fold.</summary>
    public static char Fold(char c)
    {
        int i;
        char folded = (i = c - LatinStart) >= 0 && i < LatinTable.Length ? LatinTable[i]
            : (i = c - GreekCyrillicStart) >= 0 && i < GreekCyrillicTable.Length ? GreekCyrillicTable[i]
            : (i = c - LatinExtendedAdditionalStart) >= 0 && i < LatinExtendedAdditionalTable.Length ? LatinExtendedAdditionalTable[i]
            : '\0';
        return folded == '\0' ? c : folded;
    }
}
