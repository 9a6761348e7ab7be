namespace UnsafeScope.Tests;

/// <summary>A temporary folder for one test class, deleted with it, and a way to write files into it.</summary>
internal sealed class TempFolder(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Writes <paramref name="text"/> to <paramref name="relative"/> (folders created) and returns the full path.</summary>
    public string Write(string relative, string text)
    {
        var p = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        File.WriteAllText(p, text);
        return p;
    }

    public void Dispose() => Directory.Delete(Path, true);
}
