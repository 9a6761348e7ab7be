using BenchmarkDotNet.Attributes;
using UnsafeScope.Driver;
using UnsafeScope.Reports;
using UnsafeScope.Sarif;

namespace UnsafeScope.Benchmarks;

/// <summary>
/// A whole analysis (read, parse, extract, all default rules and query packs, link, score) of the fixed corpus
/// sample (<see cref="Corpus.Sample"/>) on one thread; the same with a warm result cache; and writing the
/// outputs of that analysis: SARIF, JSON inventory, HTML report.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class AnalyzeBenchmarks
{
    private AnalysisOptions _options = new();
    private AnalysisOptions _cached = new();
    private AnalysisResult? _result;
    private string _cache = "";

    /// <summary>Files in the sample.</summary>
    public int Files { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var sample = Corpus.Sample();
        Files = sample.Length;
        _options = new AnalysisOptions { Paths = [.. sample], BaseDirectory = "/", Jobs = 1 };
        _cache = Directory.CreateTempSubdirectory("unsafescope-bench-cache-").FullName;
        _cached = _options with { CacheDirectory = _cache };
        _result = Analysis.Run(_cached); // fills the cache
        Console.WriteLine($"// AnalyzeBenchmarks sample: {Files} files, {_result.Files.Sum(f => f.Bytes)} bytes, {_result.Diagnostics.Count()} findings");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_cache, recursive: true);

    [Benchmark(Baseline = true)]
    public int Analyze() => Analysis.Run(_options).Files.Length;

    [Benchmark]
    public int AnalyzeWarmCache() => Analysis.Run(_cached).Files.Length;

    [Benchmark]
    public long WriteSarif()
    {
        using var s = new CountingStream();
        SarifLogWriter.Write(_result!, new SarifWriteOptions { IncludeTimes = false }, s);
        return s.Length;
    }

    [Benchmark]
    public long WriteJson()
    {
        using var s = new CountingStream();
        InventoryJsonWriter.Write(_result!, s);
        return s.Length;
    }

    [Benchmark]
    public long WriteHtml()
    {
        using var s = new CountingStream();
        HtmlReport.Write(_result!, HtmlReportOptions.Default, s);
        return s.Length;
    }

    /// <summary>Counts what is written and keeps nothing, so only the writer is measured.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }
}
