using BenchmarkDotNet.Attributes;
using UnsafeScope.Syntax;
using UnsafeScope.Syntax.Native;
using UnsafeScope.Text;

namespace UnsafeScope.Benchmarks;

/// <summary>
/// Parsing a fixed sample of the real corpus (<see cref="Corpus.Sample"/>), held in memory:
/// the bare native parse, the native parse + flatten copied into a managed tree, and that plus a
/// walk over every node. The ratios to <see cref="NativeParseOnly"/> are the managed overhead.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class ParseBenchmarks
{
    private SourceText[] _texts = [];
    private NativeParser? _parser;

    /// <summary>Files in the sample (shown so a changed corpus is visible in the report).</summary>
    public int Files => _texts.Length;

    [GlobalSetup]
    public void Setup()
    {
        _texts = [.. Corpus.Sample().Select(p => SourceText.From(File.ReadAllBytes(p), p))];
        _parser = new NativeParser();
        long bytes = _texts.Sum(t => (long)t.Length);
        Console.WriteLine($"// ParseBenchmarks sample: {_texts.Length} files, {bytes} bytes (every {Corpus.SampleStride}th corpus file)");
    }

    [GlobalCleanup]
    public void Cleanup() => _parser?.Dispose();

    [Benchmark(Baseline = true)]
    public long NativeParseOnly()
    {
        long sum = 0;
        foreach (var t in _texts)
            sum += _parser!.ParseOnly(t.Bytes);
        return sum;
    }

    [Benchmark]
    public long NativeParseAndFlatten()
    {
        long sum = 0;
        foreach (var t in _texts)
            sum += RustSyntaxTree.Parse(t).NodeCount;
        return sum;
    }

    [Benchmark]
    public long ParseAndFullWalk()
    {
        long sum = 0;
        foreach (var t in _texts)
            sum += Walk(RustSyntaxTree.Parse(t));
        return sum;
    }

    /// <summary>Reads the kind and span of every node; the checksum keeps the loop from being removed.</summary>
    internal static long Walk(RustSyntaxTree tree)
    {
        long sum = 0;
        foreach (var node in tree.AllNodes)
        {
            var span = node.Span;
            sum += (int)node.Kind + span.Start + span.Length;
        }
        return sum;
    }
}
