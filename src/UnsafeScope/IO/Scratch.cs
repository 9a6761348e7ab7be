namespace UnsafeScope.IO;

/// <summary>
/// One reusable array per thread for data used only during a call (file bytes to hash, text to hash). Unlike the
/// shared array pool, it keeps at most one array of at most <see cref="MaxKeptLength"/> elements per thread, so what
/// it holds stays small at a run's peak; larger arrays are taken fresh and left to the collector.
/// </summary>
internal static class Scratch<T>
{
    /// <summary>The largest array a thread keeps (bigger files are rare: a few dozen in the corpus).</summary>
    public const int MaxKeptLength = 1 << 20;

    [ThreadStatic] private static T[]? t_kept;

    /// <summary>An array of at least <paramref name="length"/> elements, its contents unspecified; give it back when done.</summary>
    public static T[] Take(int length)
    {
        length = Math.Max(length, 1);
        var kept = t_kept;
        if (kept is not null && kept.Length >= length)
        {
            t_kept = null; // taken: a nested Take gets its own array
            return kept;
        }
        return GC.AllocateUninitializedArray<T>(length <= MaxKeptLength ? Math.Max(length, 4096) : length);
    }

    /// <summary>Keeps <paramref name="array"/> for this thread's next <see cref="Take"/> if it is small enough and larger than what is kept.</summary>
    public static void Give(T[] array)
    {
        if (array.Length <= MaxKeptLength && (t_kept is null || t_kept.Length < array.Length)) t_kept = array;
    }
}
