using System.Runtime.InteropServices;

namespace NativeHnsw.IndexFiles;

/// <summary>
/// <c>madvise</c> over a mapped range, on Linux; elsewhere every call does nothing and says so. Advice is a
/// hint: the kernel may ignore it, so a failed call is not an error of the index.
/// </summary>
internal static unsafe partial class PageAdvice
{
    // Linux's values (asm-generic/mman-common.h).
    private const int MadvNormal = 0;
    private const int MadvRandom = 1;
    private const int MadvWillNeed = 3;
    private const int MadvHugePage = 14;
    private const int MadvPopulateRead = 22;

    /// <summary>Applies <paramref name="access"/> to <paramref name="length"/> bytes from <paramref name="start"/>. False when not applied.</summary>
    public static bool Advise(byte* start, long length, MappedAccess access) =>
        Apply(start, length, access == MappedAccess.Random ? MadvRandom : MadvNormal);

    /// <summary>Asks the kernel to start reading the range into the page cache now, without waiting for it. False when not applied.</summary>
    public static bool WillNeed(byte* start, long length) => Apply(start, length, MadvWillNeed);

    /// <summary>
    /// Asks for the range to be backed by transparent huge pages (MADV_HUGEPAGE), which Debian's default
    /// (<c>enabled=madvise</c>) gives only to ranges that ask. False when not applied.
    /// </summary>
    public static bool HugePages(byte* start, long length) => Apply(start, length, MadvHugePage);

    /// <summary>
    /// Makes the range resident and mapped when this returns (as far as memory allows): one madvise(MADV_POPULATE_READ)
    /// call (Linux 5.14+), which faults the pages in without a trap per page; where that call is refused, a read of every page.
    /// </summary>
    public static void Populate(byte* start, long length)
    {
        if (length > 0 && !Apply(start, length, MadvPopulateRead))
            Touch(start, length);
    }

    /// <summary>Reads one byte of every page of the range, so it is resident when this returns (as far as memory allows).</summary>
    public static void Touch(byte* start, long length)
    {
        // Volatile reads: the JIT may not drop a read whose value is unused.
        int page = Environment.SystemPageSize;
        for (long at = 0; at < length; at += page)
            _ = Volatile.Read(ref start[at]);
        if (length > 0)
            _ = Volatile.Read(ref start[length - 1]);
    }

    private static bool Apply(byte* start, long length, int advice)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
            return false;
        // madvise wants a page-aligned start: round down, and lengthen by what was rounded off.
        long page = Environment.SystemPageSize;
        long address = (long)start;
        long aligned = address & ~(page - 1);
        return Madvise((nint)aligned, (nuint)(length + (address - aligned)), advice) == 0;
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
