using UnsafeScope.Catalogs;

namespace UnsafeScope.Tests.Catalogs;

public class ApiCatalogTests
{
    [Fact]
    public void BuiltInPacksLoad()
    {
        var c = ApiCatalog.Default;
        Assert.True(c.Apis.Count > 800);
        Assert.Equal("high", c.Apis["MmMapIoSpace"].Risk);
        Assert.Contains("MmUnmapIoSpace", c.Apis["MmMapIoSpace"].Release);
        Assert.Equal("map", c.Mmio["MmMapIoSpace"].Kind);
        Assert.True(c.Macros["call_unsafe_wdf_function_binding"].NeedsUnsafeContext);
        Assert.True(c.Macros["paged_code"].WrapsUnsafe);
        Assert.Equal("Wdf", c.FamilyOf("WdfSomethingNew")!.Family);
        Assert.Null(c.FamilyOf("Wdfx")); // the prefix must be followed by an uppercase letter
        Assert.Contains(c.UnsafeStd, e => e.Name == "get_unchecked" && e.Form == "method");
    }

    [Fact]
    public void UserPacksOverrideAndExtend()
    {
        var dir = Directory.CreateTempSubdirectory("unsafescope-catalog-").FullName;
        try
        {
            var pack = Path.Combine(dir, "mine.tsv");
            File.WriteAllText(pack, "# mine\nname\tfamily\trisk\tframeworks\trole\trelease\tirql\tnotes\nMmMapIoSpace\tMm\tlow\twdm\tnone\t-\t-\tdowngraded\nAcmeDoThing\tAcme\thigh\tkmdf\tnone\t-\t-\tvendor API\n");
            var c = ApiCatalog.Load([pack]);
            Assert.Equal("low", c.Apis["MmMapIoSpace"].Risk);
            Assert.Equal("Acme", c.Apis["AcmeDoThing"].Family);
            Assert.Equal(pack, c.Sources[^1]);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("name\tfamily\trisk\tframeworks\trole\trelease\tirql\tnotes\nX\tF\tsevere\twdm\tnone\t-\t-\tn\n", 2, "risk 'severe'")]
    [InlineData("name\tfamily\trisk\tframeworks\trole\trelease\tirql\tnotes\nX\tF\thigh\twdm\tnone\n", 2, "5 columns, expected 8")]
    [InlineData("# c\nname\tfamily\trisk\tframeworks\trole\trelease\tirql\tnotes\n\nX\tF\thigh\twdm\tacquire\t-\t-\tn\n", 4, "names no release")]
    [InlineData("name\tkind\tforms\tnotes\nread_volatile\tvolatile-read\tsideways\tn\n", 2, "forms value 'sideways'")]
    [InlineData("what\tever\n", 1, "unknown header")]
    [InlineData("name\tkind\ttarget\tuse\tnotes\nm\texpands-to\t-\tno\tn\n", 2, "expands-to names no target")]
    public void BadPacksNameFileLineAndProblem(string text, int line, string problem)
    {
        var e = Assert.Throws<CatalogException>(() => ApiCatalog.FromTexts([("bad.tsv", text)]));
        Assert.Equal("bad.tsv", e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Problem);
        Assert.StartsWith($"bad.tsv:{line}: ", e.Message);
    }
}
