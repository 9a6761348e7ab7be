using BenchmarkDotNet.Attributes;
using UnsafeScope.Syntax;
using UnsafeScope.Syntax.Native;
using UnsafeScope.Text;

namespace UnsafeScope.Benchmarks;

/// <summary>
/// Parsing a fixed sample of the real corpus (<see cref="Corpus.Sample"/>), held in memory:
/// the bare native parse, the native parse + flatten copied into a managed tree, and that plus a
/// walk over every node. The ratios to <see cref="NativeParseOnly"/> are the managed overhead.
/// Two more split that overhead up: <see cref="NativeParseAndFlattenNoCopy"/> (the native flatten walk
/// alone, as the C baseline's walk mode) and <see cref="FullWalkOnly"/> (the managed walk alone, over
/// trees parsed in setup).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public unsafe class ParseBenchmarks
{
    private SourceText[] _texts = [];
    private RustSyntaxTree[] _trees = [];
    private NativeParser? _parser;
    private nint _rawParser;

    /// <summary>Files in the sample (shown so a changed corpus is visible in the report).</summary>
    public int Files => _texts.Length;

    [GlobalSetup]
    public void Setup()
    {
        _texts = [.. Corpus.Sample().Select(p => SourceText.From(File.ReadAllBytes(p), p))];
        _parser = new NativeParser();
        _rawParser = NativeMethods.ParserNew();
        if (_rawParser == 0) throw new InvalidOperationException("us_parser_new failed");
        _trees = [.. _texts.Select(t => RustSyntaxTree.Parse(t))];
        long bytes = _texts.Sum(t => (long)t.Length);
        Console.WriteLine($"// ParseBenchmarks sample: {_texts.Length} files, {bytes} bytes (every {Corpus.SampleStride}th corpus file)");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _parser?.Dispose();
        if (_rawParser != 0) NativeMethods.ParserDelete(_rawParser);
        _rawParser = 0;
    }

    [Benchmark(Baseline = true)]
    public long NativeParseOnly()
    {
        long sum = 0;
        foreach (var t in _texts)
            sum += _parser!.ParseOnly(t.Bytes);
        return sum;
    }

    /// <summary>us_parse without copying the records out: what the C baseline's walk mode times.</summary>
    [Benchmark]
    public long NativeParseAndFlattenNoCopy()
    {
        long sum = 0;
        foreach (var t in _texts)
        {
            NodeRecord* nodes;
            uint count;
            fixed (byte* src = t.Bytes)
            {
                byte empty = 0;
                if (NativeMethods.Parse(_rawParser, src == null ? &empty : src, (uint)t.Length, 0, null, &nodes, &count) != 0)
                    throw new InvalidOperationException("us_parse failed");
            }
            sum += count;
        }
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

    /// <summary>The managed walk alone, over trees parsed in setup.</summary>
    [Benchmark]
    public long FullWalkOnly()
    {
        long sum = 0;
        foreach (var tree in _trees)
            sum += Walk(tree);
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
