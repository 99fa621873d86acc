using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/XeStreamKit.Benchmarks -- --filter '*'
// CI: ... -- --filter '*' --job dry --inProcess   (builds and runs every benchmark once, no timing)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
