namespace XeStreamKit.Tests.Support;

/// <summary>
/// A [Fact] that watches xsk's system calls with <c>strace</c> (Debian's <c>strace</c>, which
/// <c>.ci/run</c> installs when absent); without it the test is reported as skipped with the reason.
/// </summary>
public sealed class StraceFactAttribute : FactAttribute
{
    public static string? Path => new[] { "/usr/bin/strace", "/bin/strace" }.FirstOrDefault(File.Exists);

    public StraceFactAttribute()
    {
        if (Path is null) Skip = "no strace (apt-get install strace; .ci/run does): the system calls of an output cannot be watched";
    }
}
