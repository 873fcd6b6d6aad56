using System.Reflection;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ProofStorage.Benchmarks.Corpus;
using ProofStorage.Benchmarks.Load;

// corpus | seed | fill | bulk | bench [BenchmarkDotNet args, e.g. --filter *]
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: ProofStorage.Benchmarks corpus|seed|fill|bulk [--name value ...] | bench [BenchmarkDotNet arguments]");
    return 2;
}

if (args[0] == "bench")
{
    // Short in-process runs: minutes, not hours, on a shared two-core machine. Numbers are for comparing
    // methods against their baseline in one run, not absolute.
    var config = DefaultConfig.Instance
        .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short-inproc"))
        .WithOptions(ConfigOptions.DisableOptimizationsValidator);
    BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args[1..], config);
    return 0;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

return args[0] switch
{
    "corpus" => CorpusCommand.Run(options),
    "seed" => await LoadCommands.SeedAsync(options),
    "fill" => await LoadCommands.FillAsync(options),
    "bulk" => await LoadCommands.BulkAsync(options),
    _ => 2,
};
