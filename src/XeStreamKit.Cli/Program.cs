using XeStreamKit.Cli;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Cli.Native;

FlavourDispatch.ExecFasterFlavour(args);
return XskApp.Run(args, CliContext.FromConsole());
