using XeStreamKit.Cli;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Cli.Native;

// The portable native build hands over to its AVX-512 flavour before the runtime starts
// (Native/flavour_dispatch.c), not here.
return XskApp.Run(args, CliContext.FromConsole());
