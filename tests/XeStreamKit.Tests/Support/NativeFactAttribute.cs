namespace XeStreamKit.Tests.Support;

/// <summary>
/// A [Fact] against the Native AOT binary named by <c>XSK_NATIVE</c> (<c>.ci/run</c> publishes it
/// and sets the variable); elsewhere it is reported as skipped with the reason (never as passed).
/// </summary>
public sealed class NativeFactAttribute : FactAttribute
{
    public const string Variable = "XSK_NATIVE";

    public NativeFactAttribute()
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(path))
            Skip = $"no native xsk: set {Variable}=<dir>/xsk (dotnet publish src/XeStreamKit.Cli -c Release -r linux-x64 -o <dir>; .ci/run does) to run";
        else if (!File.Exists(path))
            Skip = $"{Variable}={path}: no such file";
    }
}
