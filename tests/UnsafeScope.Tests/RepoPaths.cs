namespace UnsafeScope.Tests;

internal static class RepoPaths
{
    /// <summary>The repository root (the folder holding UnsafeScope.sln).</summary>
    public static string Root { get; } = Find();

    public static string Fixtures(params string[] parts) => Path.Combine([Root, "corpus", "fixtures", .. parts]);

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "UnsafeScope.sln"))) return d.FullName;
        throw new InvalidOperationException("UnsafeScope.sln not found above " + AppContext.BaseDirectory);
    }
}
