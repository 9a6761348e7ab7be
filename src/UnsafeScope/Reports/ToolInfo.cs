using System.Reflection;

namespace UnsafeScope.Reports;

/// <summary>The tool's identity as written in outputs.</summary>
public static class ToolInfo
{
    /// <summary>Semantic version (from the assembly's informational version, without build metadata).</summary>
    public static string Version { get; } =
        (typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>Where to learn about the tool.</summary>
    public const string InformationUri = "https://github.com/unsafescope/unsafescope";
}
