namespace UnsafeScope.Tests.Hardening;

/// <summary>The command's SARIF, JSON and markdown outputs are byte-identical across 1, 2 and 8 workers and across repeated runs.</summary>
public sealed class DeterminismTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("unsafescope-determinism-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void OutputsAreByteIdenticalAcrossWorkerCountsAndRuns()
    {
        string[] outputs = ["sarif", "json", "markdown"];
        var runs = new List<(string Name, Dictionary<string, byte[]> Files)>();
        foreach (var (name, jobs) in new[] { ("jobs1", 1), ("jobs2", 2), ("jobs8", 8), ("jobs2-again", 2), ("jobs8-again", 8) })
        {
            var args = new List<string> { "analyze", RepoPaths.Fixtures(), "--jobs", jobs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--quiet" };
            foreach (var o in outputs) args.AddRange([$"--{o}", Path.Combine(_dir, $"{name}.{o}")]);
            var (exit, _, err) = CliProcess.Run([.. args]);
            Assert.True(exit == 0, err);
            runs.Add((name, outputs.ToDictionary(o => o, o => File.ReadAllBytes(Path.Combine(_dir, $"{name}.{o}")))));
        }
        foreach (var o in outputs)
        {
            Assert.True(runs[0].Files[o].Length > 1000, $"{o} is nearly empty");
            foreach (var (name, files) in runs.Skip(1))
                Assert.True(runs[0].Files[o].AsSpan().SequenceEqual(files[o]), $"{o} of {name} differs from jobs1");
        }
    }

    [Fact]
    public void BigFilesDeferredBehindAnotherAreAllAnalyzedAndChangeNothing()
    {
        // Files of 1 MiB or more are parsed one at a time; a worker that meets one while another is being parsed
        // defers it and goes on with small files. Four big files in a row, among small ones, on 1, 2 and 8 workers.
        var src = Path.Combine(_dir, "big", "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(_dir, "big", "Cargo.toml"), "[package]\nname = \"big\"\nversion = \"0.1.0\"\n");
        var mods = new System.Text.StringBuilder();
        for (int f = 0; f < 4; f++)
        {
            var sb = new System.Text.StringBuilder();
            for (int i = 0; sb.Length < (1 << 20) + 4096; i++)
                sb.Append("pub fn read_").Append(i).Append("(p: *const u8) -> u8 {\n    unsafe { *p.add(").Append(i).Append(") }\n}\n");
            File.WriteAllText(Path.Combine(src, $"big{f}.rs"), sb.ToString());
            mods.Append("pub mod big").Append(f).Append(";\n");
        }
        for (int f = 0; f < 12; f++)
        {
            File.WriteAllText(Path.Combine(src, $"small{f}.rs"), $"pub fn get(p: *const u32) -> u32 {{\n    unsafe {{ *p }}\n}}\n");
            mods.Append("pub mod small").Append(f).Append(";\n");
        }
        File.WriteAllText(Path.Combine(src, "lib.rs"), mods.ToString());
        byte[]? first = null;
        foreach (var jobs in new[] { "1", "2", "8" })
        {
            var json = Path.Combine(_dir, $"big-{jobs}.json");
            var (exit, _, err) = CliProcess.Run(TimeSpan.FromMinutes(5), null, "analyze", Path.Combine(_dir, "big"), "--jobs", jobs, "--json", json, "--quiet", "--no-config");
            Assert.True(exit == 0, err);
            var bytes = File.ReadAllBytes(json);
            using var doc = System.Text.Json.JsonDocument.Parse(bytes);
            var files = doc.RootElement.GetProperty("files").EnumerateArray().ToList();
            Assert.Equal(17, files.Count);
            Assert.All(files, f => Assert.Equal("analyzed", f.GetProperty("status").GetString()));
            // Every big file's unsafe blocks are there: one per function.
            foreach (var f in files.Where(f => Path.GetFileName(f.GetProperty("path").GetString()!).StartsWith("big", StringComparison.Ordinal)))
                Assert.True(f.GetProperty("counts").GetProperty("unsafeBlocks").GetInt32() > 10_000, f.GetProperty("path").GetString());
            if (first is null) first = bytes;
            else Assert.True(first.AsSpan().SequenceEqual(bytes), $"the JSON of --jobs {jobs} differs from --jobs 1");
        }
    }
}
