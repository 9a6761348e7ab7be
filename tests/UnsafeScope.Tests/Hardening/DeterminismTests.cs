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
}
