using XeStreamKit.Compatibility;
using XeStreamKit.Text;

namespace XeStreamKit.Devices.Host;

/// <summary>
/// The real <see cref="ITargetSource"/>: <c>@file</c> targets from the file system (at most
/// <see cref="TargetSpec.MaxJsonBytes"/>, so <c>@/dev/zero</c> cannot exhaust memory) and
/// <c>host:</c> targets through a <see cref="HostTargetReader"/>. The core reads neither itself.
/// </summary>
public sealed class HostTargetSource(HostTargetReader host) : ITargetSource
{
    /// <summary>Files from the file system, hosts from the real /sys and debugfs.</summary>
    public static HostTargetSource Default { get; } = new(new HostTargetReader());

    /// <inheritdoc/>
    public TargetProfile ReadHost(string bdf, uint vf, string what) => host.Read(bdf, vf, what);

    /// <inheritdoc/>
    public string ReadJson(string path, string what)
    {
        try
        {
            return ReadBounded(path, what);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message.ReplaceLineEndings(" "),
            };
            throw new IOException($"{what}: cannot read {path}: {why}", e);
        }
    }

    private static string ReadBounded(string path, string what)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        var buffer = new byte[TargetSpec.MaxJsonBytes + 1];
        var n = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (n > TargetSpec.MaxJsonBytes) throw new SpecTextException($"{what}: {path} is larger than {TargetSpec.MaxJsonBytes / 1024} KiB; a target file holds a few keys");
        return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false).GetString(buffer, 0, n);
    }
}
