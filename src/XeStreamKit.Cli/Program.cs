using XeStreamKit.Cli;
using XeStreamKit.Cli.Cli;

return XskApp.Run(args, CliContext.FromConsole());
