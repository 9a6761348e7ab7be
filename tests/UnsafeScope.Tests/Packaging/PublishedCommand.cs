namespace UnsafeScope.Tests.Packaging;

/// <summary>What the tests of a published build of the command (NativeAOT, win-x64 under Wine) share.</summary>
internal static class PublishedCommand
{
    /// <summary>
    /// Skips with the reason when the build could not be published here; on a Linux CI run that is a failure, since
    /// .ci/run installs what publishing needs.
    /// </summary>
    public static void Require(string what, string? exe, string? problem)
    {
        if (exe is null && Environment.GetEnvironmentVariable("CI") == "true" && OperatingSystem.IsLinux())
            Assert.Fail($"CI must run the {what} tests: " + problem);
        Skip.If(exe is null, problem);
    }

    /// <summary>The Debian corpus folder of the first crate whose folder name starts with <paramref name="prefix"/> (glib-0…).</summary>
    public static string RegistryCrate(string prefix) =>
        Directory.GetDirectories("/usr/share/cargo/registry", prefix + "*").Order(StringComparer.Ordinal).First();
}
