using XeStreamKit.Cli;
using XeStreamKit.Cli.Cli;
using XeStreamKit.Cli.Native;

FlavourDispatch.ExecFasterFlavour(args);
return XskApp.Run(args, CliContext.FromConsole());
