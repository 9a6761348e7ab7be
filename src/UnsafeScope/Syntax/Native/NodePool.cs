namespace UnsafeScope.Syntax.Native;

/// <summary>
/// One spare node array per thread for the trees the pipeline parses, analyzes and drops on the same thread (a file's
/// tree: <see cref="RustSyntaxTree.Release"/>). A file's node array lives through its analysis, so a fresh one
/// outlived the young generation's collections and was copied into the older ones, where only a full collection freed
/// it: that churn, not the allocation, was the cost (benchmarks/README.md, session 21).
/// </summary>
internal static class NodePool
{
    // Bigger arrays (files of about 350 KB and more) are allocated as before: keeping one per thread would hold up to a
    // big file's tree between big files.
    private const int MaxPooledNodes = (8 << 20) / 24;

    [ThreadStatic] private static NodeRecord[]? t_spare;

    /// <summary>An array of at least <paramref name="count"/> records whose contents are undefined.</summary>
    public static NodeRecord[] Rent(int count)
    {
        if (t_spare is { } spare && spare.Length >= count)
        {
            t_spare = null;
            return spare;
        }
        return GC.AllocateUninitializedArray<NodeRecord>(count);
    }

    /// <summary>Keeps <paramref name="array"/> for this thread's next parse when it is the biggest spare so far.</summary>
    public static void Return(NodeRecord[] array)
    {
        if (array.Length <= MaxPooledNodes && (t_spare is null || t_spare.Length < array.Length))
            t_spare = array;
    }
}
