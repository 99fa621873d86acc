using System.Text.Encodings.Web;
using System.Text.Json;
using XeStreamKit.Harness.Benchmarking;
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

    /// <summary>The document a failed command prints with <c>--json</c>:
    /// <c>{"error":{"message","exitCode","errno","errnoValue","streamOffset","packetIndex","field"}}</c>.</summary>
    public static void Failure(Stream output, Failure failure) => Document(output, w =>
    {
        ArgumentNullException.ThrowIfNull(failure);
        w.WriteStartObject("error");
        w.WriteString("message", failure.Message);
        w.WriteNumber("exitCode", failure.ExitCode);
        if (failure.Errno is { } errno)
        {
            w.WriteString("errno", SystemErrors.Name(errno));
            w.WriteNumber("errnoValue", -errno);
        }
        else
        {
            w.WriteNull("errno");
            w.WriteNumber("errnoValue", 0);
        }
        if (failure.StreamOffset is { } offset) w.WriteNumber("streamOffset", offset);
        else w.WriteNull("streamOffset");
        if (failure.PacketIndex is { } index and >= 0) w.WriteNumber("packetIndex", index);
        else w.WriteNull("packetIndex");
        if (failure.Field is { } field) w.WriteString("field", field);
        else w.WriteNull("field");
        w.WriteEndObject();
    });

    /// <summary>The same, as text (to stderr when stdout carries a stream).</summary>
    public static void Failure(TextWriter output, Failure failure)
    {
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new MemoryStream();
        Failure(buffer, failure);
        output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
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
    public static void Errno(Utf8JsonWriter w, string name, Catalog.Errno errno, bool withValue = true)
    {
        if (errno == Catalog.Errno.None) w.WriteNull(name);
        else w.WriteString(name, ErrnoText.Name(errno));
        if (withValue) w.WriteNumber(name + "Value", errno == Catalog.Errno.None ? 0 : ErrnoText.KernelValue(errno));
    }

    /// <summary><c>write</c>, <c>finish</c>, <c>setup</c> or null.</summary>
    public static string? ReportedAt(Catalog.ReportedAt at) => at switch
    {
        Catalog.ReportedAt.Write => "write",
        Catalog.ReportedAt.Finish => "finish",
        Catalog.ReportedAt.Setup => "setup",
        _ => null,
    };

    /// <summary>Writes <c>"machine": {...}</c>.</summary>
    public static void Machine(Utf8JsonWriter w, MachineInfo machine)
    {
        w.WriteStartObject("machine");
        w.WriteString("cpu", machine.Cpu);
        w.WriteNumber("logicalCores", machine.LogicalCores);
        w.WriteString("runtime", machine.Runtime);
        w.WriteString("os", machine.Os);
        w.WriteBoolean("vector512", machine.Vector512);
        w.WriteBoolean("crc32cInterleaved", machine.Crc32CInterleaved);
        if (machine.LoadAverage is { } load) w.WriteNumber("loadAverage", load);
        else w.WriteNull("loadAverage");
        w.WriteBoolean("optimized", machine.Optimized);
        w.WriteEndObject();
    }

    /// <summary>Writes one measurement as an object.</summary>
    public static void Measurement(Utf8JsonWriter w, BenchMeasurement m)
    {
        w.WriteStartObject();
        w.WriteString("id", m.Id);
        w.WriteString("title", m.Title);
        w.WriteBoolean("baseline", m.IsBaseline);
        w.WriteNumber("bytesPerRun", m.BytesPerRun);
        w.WriteNumber("itemsPerRun", m.ItemsPerRun);
        w.WriteNumber("runs", m.Runs);
        w.WriteNumber("medianSeconds", m.MedianSeconds);
        w.WriteNumber("bestSeconds", m.BestSeconds);
        w.WriteNumber("gbPerSecond", Math.Round(m.GbPerSecond, 3));
        w.WriteNumber("bestGbPerSecond", Math.Round(m.BestGbPerSecond, 3));
        w.WriteNumber("itemsPerSecond", Math.Round(m.ItemsPerSecond));
        w.WriteNumber("allocatedBytesPerRun", m.AllocatedBytesPerRun);
        w.WriteEndObject();
    }
}
