using System.Text.Encodings.Web;
using System.Text.Json;
using XeStreamKit.Driver;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Cli;

/// <summary>JSON spellings shared by the commands.</summary>
public static class JsonOut
{
    /// <summary>Indented, and without HTML-safe escaping (an apostrophe stays an apostrophe): our
    /// JSON goes to terminals and tools, never into HTML.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <c>"name": "ENODEV"</c> (null for none) and, unless told not to, <c>"nameValue": -19</c> (0 for none).</summary>
    public static void Errno(Utf8JsonWriter w, string name, Driver.Errno errno, bool withValue = true)
    {
        if (errno == Driver.Errno.None) w.WriteNull(name);
        else w.WriteString(name, ErrnoText.Name(errno));
        if (withValue) w.WriteNumber(name + "Value", errno == Driver.Errno.None ? 0 : ErrnoText.KernelValue(errno));
    }

    /// <summary><c>write</c>, <c>finish</c>, <c>setup</c> or null.</summary>
    public static string? ReportedAt(Validation.ReportedAt at) => at switch
    {
        Validation.ReportedAt.Write => "write",
        Validation.ReportedAt.Finish => "finish",
        Validation.ReportedAt.Setup => "setup",
        _ => null,
    };
}
