namespace XeStreamKit.Cli.Plumbing;

/// <summary>A problem with what the user asked for (exit 1); the message is shown as is.</summary>
public sealed class UsageException(string message) : Exception(message);
