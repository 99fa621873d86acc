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

    /// <summary>Writes one JSON object, built by <paramref name="body"/>, and a newline.</summary>
    public static void Document(Stream output, Action<Utf8JsonWriter> body)
    {
        using var w = new Utf8JsonWriter(output, WriterOptions);
        w.WriteStartObject();
        body(w);
        w.WriteEndObject();
        w.Flush();
        output.Write("\n"u8);
    }

    /// <summary>Writes <c>"error"</c>: null, or where and what the format error is.</summary>
    public static void Error(Utf8JsonWriter w, MigrationStreamFormatException? error)
    {
        if (error is null)
        {
            w.WriteNull("error");
            return;
        }
        w.WriteStartObject("error");
        w.WriteNumber("streamOffset", error.StreamOffset);
        w.WriteNumber("packetIndex", error.PacketIndex);
        w.WriteString("field", error.Field);
        w.WriteString("message", error.Message);
        w.WriteEndObject();
    }

    /// <summary>Writes an array <paramref name="name"/> of {type, typeId, count, payloadBytes}.</summary>
    public static void PacketsByType(Utf8JsonWriter w, string name, IEnumerable<(Format.PacketType Type, long Count, ulong Bytes)> byType)
    {
        w.WriteStartArray(name);
        foreach (var (type, count, bytes) in byType)
        {
            w.WriteStartObject();
            w.WriteString("type", Format.PacketTypeText.Id(type));
            w.WriteNumber("typeId", (byte)type);
            w.WriteNumber("count", count);
            w.WriteNumber("payloadBytes", bytes);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

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
