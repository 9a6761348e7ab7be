using BenchmarkDotNet.Running;
using UnsafeScope.Benchmarks;
if (args is ["corpus-walk", .. var rest]) return CorpusWalk.Run(rest);
if (args is ["lazy-calls", .. var lc]) return LazyCalls.Run(lc);
if (args is ["fact-sizes", .. var fs]) return FactSizes.Run(fs);
if (args is ["lazy-proof", .. var lp]) return LazyProof.Run(lp);
if (args is ["inert-tables", .. var it]) return InertTablesScan.Run(it);
if (args is ["corpus-phases", .. var more]) return CorpusPhases.Run(more);
BenchmarkSwitcher.FromAssembly(typeof(ParseBenchmarks).Assembly).Run(args); return 0;
