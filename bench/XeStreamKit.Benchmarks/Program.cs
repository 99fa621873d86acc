using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using XeStreamKit.Benchmarks;

// Full run (chunks 4 KiB..512 MiB, 1 GiB and 4 GiB images, about 30 minutes):
//   XSK_BENCH_FULL=1 dotnet run -c Release --project bench/XeStreamKit.Benchmarks -- --filter '*'
// CI: dotnet run -c Release --project bench/XeStreamKit.Benchmarks -- --filter '*' --job dry --inProcess
//   (small inputs; builds and runs every benchmark once, no timing)
var config = DefaultConfig.Instance;
if (Suite.Full && !args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal)))
    config = config.AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithId("Full"));
try
{
    BenchmarkSwitcher.FromAssembly(typeof(Suite).Assembly).Run(args, config);
}
finally
{
    Suite.DeleteImages();
}
