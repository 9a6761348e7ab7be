using BenchmarkDotNet.Running;
using UnsafeScope.Benchmarks;
if (args is ["corpus-walk", .. var rest]) return CorpusWalk.Run(rest);
BenchmarkSwitcher.FromAssembly(typeof(ParseBenchmarks).Assembly).Run(args); return 0;
