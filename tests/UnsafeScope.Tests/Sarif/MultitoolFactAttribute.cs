namespace UnsafeScope.Tests.Sarif;

/// <summary>
/// A test that needs the SARIF Multitool. The tool is installed on first use (npm pack); where that cannot work
/// (no npm, no registry, not linux-x64) the test is skipped with the reason, except in CI (<c>CI=true</c>), where it
/// runs and fails with the reason instead.
/// </summary>
public sealed class MultitoolFactAttribute : FactAttribute
{
    public MultitoolFactAttribute()
    {
        var (path, problem) = SarifMultitool.Executable;
        if (path is null && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "The SARIF Multitool is not available here: " + problem;
    }
}
