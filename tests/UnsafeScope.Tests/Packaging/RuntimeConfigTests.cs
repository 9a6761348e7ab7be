using System.Text.Json;
using UnsafeScope.Driver;
using UnsafeScope.Tests.Hardening;

namespace UnsafeScope.Tests.Packaging;

// The command's memory settings live in its runtimeconfig (and, for NativeAOT, in the binary built from the same
// project items); the library only acts on them when its host asks, so an embedding host is never subjected to
// forced collections.
public class RuntimeConfigTests
{
    private static JsonElement ConfigProperties()
    {
        var path = Path.ChangeExtension(CliProcess.Dll, ".runtimeconfig.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void TheCommandCollectsBeforeBigFilesAndConservesMemory()
    {
        var properties = ConfigProperties();
        Assert.True(properties.GetProperty(FileWorkers.GiveBackFreeHeapSwitch).GetBoolean());
        Assert.Equal(9, properties.GetProperty("System.GC.ConserveMemory").GetInt32());
        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
    }

    // Dynamic PGO's instrumented code shares its counters between the workers: on two workers the framework-dependent
    // command (the dotnet tool) spent 7-10 s more CPU on the corpus with it (benchmarks/README.md, session 29).
    [Fact]
    public void TheFrameworkDependentCommandRunsWithoutDynamicPgo()
    {
        Assert.False(ConfigProperties().GetProperty("System.Runtime.TieredPGO").GetBoolean());
    }

    [Fact]
    public void AHostThatDoesNotAskGetsNoForcedCollections()
    {
        Assert.False(AppContext.TryGetSwitch(FileWorkers.GiveBackFreeHeapSwitch, out var on) && on);
    }
}
