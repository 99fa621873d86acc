using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using XeStreamKit.Cli.Json;
using XeStreamKit.Harness.Benchmarking;
using XeStreamKit.Driver;
using XeStreamKit.Validation;

namespace XeStreamKit.Cli.Plumbing;

/// <summary>JSON spellings shared by the commands.</summary>
public static class JsonOut
{
    /// <summary>Indented, and without HTML-safe escaping (an apostrophe stays an apostrophe): our
    /// JSON goes to terminals and tools, never into HTML.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A writer for one document on <paramref name="output"/> (<see cref="WriterOptions"/>).</summary>
    public static Utf8JsonWriter Writer(Stream output) => new(output, WriterOptions);

    /// <summary>Writes <paramref name="document"/> as one JSON object and a newline.</summary>
    public static void Document<T>(Stream output, T document, JsonTypeInfo<T> type)
    {
        using (var w = Writer(output)) JsonSerializer.Serialize(w, document, type);
        output.Write("\n"u8);
    }

    /// <summary>Writes <c>"name": value</c> into the object open on <paramref name="w"/>.</summary>
    public static void Property<T>(Utf8JsonWriter w, string name, T value, JsonTypeInfo<T> type)
    {
        w.WritePropertyName(name);
        JsonSerializer.Serialize(w, value, type);
    }

    /// <summary>Writes a row of an open array; flushes the writer now and then, so that a stream
    /// of rows of unbounded length is never held in memory.</summary>
    public static void Row<T>(Utf8JsonWriter w, T row, JsonTypeInfo<T> type)
    {
        JsonSerializer.Serialize(w, row, type);
        if (w.BytesPending > 64 * 1024) w.Flush();
    }

    /// <summary>Writes the members of <paramref name="value"/> (an object) into the object open on
    /// <paramref name="w"/>, for a row that adds members in front of a record's own.</summary>
    public static void Members<T>(Utf8JsonWriter w, T value, JsonTypeInfo<T> type)
    {
        using var members = JsonSerializer.SerializeToDocument(value, type);
        foreach (var member in members.RootElement.EnumerateObject()) member.WriteTo(w);
    }

    /// <summary>Ends the document open on <paramref name="w"/> and writes a newline.</summary>
    public static void End(Utf8JsonWriter w, Stream output)
    {
        w.WriteEndObject();
        w.Flush();
        output.Write("\n"u8);
    }

    /// <summary>Writes <c>"error"</c>: null, or where and what the format error is.</summary>
    public static void Error(Utf8JsonWriter w, MigrationStreamFormatException? error) =>
        Property(w, "error", StreamErrorJson.Of(error), CliJsonContext.Default.StreamErrorJson);

    /// <summary>The document a failed command prints with <c>--json</c>:
    /// <c>{"error":{"message","exitCode","errno","errnoValue","streamOffset","packetIndex","field"}}</c>.</summary>
    public static void Failure(Stream output, Failure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var error = new FailureJson(failure.Message, failure.ExitCode,
            failure.Errno is { } errno ? SystemErrors.Name(errno) : null, failure.Errno is { } e ? -e : 0,
            failure.StreamOffset, failure.PacketIndex is { } index and >= 0 ? index : null, failure.Field);
        Document(output, new FailureDocument(error), CliJsonContext.Default.FailureDocument);
    }

    /// <summary>The same, as text (to stderr when stdout carries a stream).</summary>
    public static void Failure(TextWriter output, Failure failure)
    {
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new MemoryStream();
        Failure(buffer, failure);
        output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary><c>write</c>, <c>finish</c>, <c>setup</c> or null.</summary>
    public static string? ReportedAt(Catalog.ReportedAt at) => at switch
    {
        Catalog.ReportedAt.Write => "write",
        Catalog.ReportedAt.Finish => "finish",
        Catalog.ReportedAt.Setup => "setup",
        _ => null,
    };
}
