using System.Text.RegularExpressions;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;

namespace UnsafeScope.Tests.Inventory;

/// <summary>Runs the inventory over the fixture crates and checks the inline <c>//~</c> expectations of every file.</summary>
public partial class InventoryFixtureTests
{
    private static readonly Lazy<AnalysisResult> s_result = new(() =>
        Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("inventory")], Jobs = 2 }));

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(RepoPaths.Fixtures("inventory"), "*.rs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(RepoPaths.Fixtures("inventory"), f).Replace('\\', '/'));
        return data;
    }

    [GeneratedRegex(@"//~(\^*)\s*(.*)$")]
    private static partial Regex Marker();

    private sealed record Expectation(int Line, string Kind, Dictionary<string, string?> Attributes, string Source);

    [Theory]
    [MemberData(nameof(Files))]
    public void RegionsMatchInlineExpectations(string file)
    {
        var result = s_result.Value;
        var inventory = result.Files.Single(f => f.Path == file).Inventory;
        Assert.NotNull(inventory);

        var expected = new List<Expectation>();
        var lines = File.ReadAllLines(RepoPaths.Fixtures("inventory", file));
        for (int i = 0; i < lines.Length; i++)
        {
            var m = Marker().Match(lines[i]);
            if (!m.Success) continue;
            int line = i + 1 - m.Groups[1].Value.Length;
            foreach (var spec in m.Groups[2].Value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var words = spec.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var attrs = words.Skip(1).ToDictionary(w => w.Split('=')[0], w => w.Contains('=') ? w[(w.IndexOf('=') + 1)..] : null);
                expected.Add(new Expectation(line, words[0], attrs, $"{file}:{i + 1}: {spec}"));
            }
        }

        var actual = inventory.Regions.ToList();
        // Exhaustive: the same (line, kind) multiset.
        var expectedKeys = expected.Select(e => $"{e.Line}:{e.Kind}").Order(StringComparer.Ordinal).ToList();
        var actualKeys = actual.Select(r => $"{r.StartLine}:{RegionKinds.Name(r.Kind)}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedKeys, actualKeys);

        foreach (var e in expected)
        {
            var r = actual.First(a => a.StartLine == e.Line && RegionKinds.Name(a.Kind) == e.Kind);
            actual.Remove(r);
            foreach (var (key, value) in e.Attributes)
            {
                switch (key)
                {
                    case "ops":
                        Assert.True(Csv(value) .SequenceEqual(r.Operations.Select(o => RegionKinds.Name(o.Kind))),
                            $"{e.Source}: ops were [{string.Join(",", r.Operations.Select(o => RegionKinds.Name(o.Kind) + "(" + o.Name + ")"))}]");
                        break;
                    case "ffi":
                        Assert.True(Csv(value).SequenceEqual(r.FfiCalls.Select(f => f.Name)), $"{e.Source}: ffi were [{string.Join(",", r.FfiCalls.Select(f => f.Name))}]");
                        break;
                    case "mmio":
                        Assert.True(Csv(value).SequenceEqual(r.Mmio.Select(f => f.Kind)), $"{e.Source}: mmio were [{string.Join(",", r.Mmio.Select(f => f.Kind + "(" + f.Api + ")"))}]");
                        break;
                    case "safety":
                        Assert.True(r.HasSafetyComment, $"{e.Source}: no SAFETY comment found");
                        break;
                    case "nosafety":
                        Assert.False(r.HasSafetyComment, $"{e.Source}: a SAFETY comment was found");
                        break;
                    case "item":
                        Assert.True(value == r.Item, $"{e.Source}: item was {r.Item}");
                        break;
                    case "name":
                        Assert.True(value == r.Name.Replace(' ', '_'), $"{e.Source}: name was {r.Name}");
                        break;
                    case "visibility":
                        Assert.True(value == r.Visibility, $"{e.Source}: visibility was {r.Visibility}");
                        break;
                    case "macro":
                        break;
                    default:
                        Assert.Fail($"{e.Source}: unknown expectation '{key}'");
                        break;
                }
            }
            Assert.True(e.Attributes.ContainsKey("macro") == r.InMacro, $"{e.Source}: inMacro was {r.InMacro}");
        }
    }

    [Fact]
    public void WdkCallsTheCatalogLacksAreUncataloguedWithFamilyByPrefixAndUnknownRisk()
    {
        var all = s_result.Value.Files.Single(f => f.Path == "driver/src/wdk_globs.rs").Inventory!.Regions.SelectMany(r => r.FfiCalls).ToList();
        Assert.Equal("catalog", Assert.Single(all, c => c.Name == "KeGetCurrentIrql").Source);
        Assert.DoesNotContain(all, c => c.Name == "nt_success"); // the wdk crate's own functions are Rust
        var calls = all.Where(c => c.Name != "KeGetCurrentIrql").ToList();
        Assert.Equal(["FsRtlIsNameInExpression Fs wdk-bindings", "SeLocateProcessImageName Se wdk-bindings",
                "WdfDeviceSetSpecialFileSupport Wdf wdf-macro", "MmFreeContiguousMemorySpecifyCacheEx Mm wdk-bindings"],
            calls.Select(c => $"{c.Name} {c.Family} {c.Source}"));
        Assert.All(calls, c => Assert.True(c.Uncatalogued));
        Assert.All(calls, c => Assert.Equal("unknown", c.Risk));
        // A catalogued API reached the same ways is not a gap.
        Assert.DoesNotContain(s_result.Value.Files.SelectMany(f => f.Inventory?.Regions ?? []).SelectMany(r => r.FfiCalls), c => c.Uncatalogued && c.Source == "catalog");
        using var stream = new MemoryStream();
        UnsafeScope.Reports.InventoryJsonWriter.Write(s_result.Value, stream);
        Assert.Equal(4, System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split("\"uncatalogued\": true").Length - 1);
        using var html = new MemoryStream();
        UnsafeScope.Reports.HtmlReport.Write(s_result.Value, new UnsafeScope.Reports.HtmlReportOptions(), html);
        var page = System.Text.Encoding.UTF8.GetString(html.ToArray());
        Assert.Contains("id=\"uncatalogued\"", page);
        Assert.Contains("<code>FsRtlIsNameInExpression</code>", page);
    }

    private static string[] Csv(string? value) => string.IsNullOrEmpty(value) ? [] : value.Split(',');
}
