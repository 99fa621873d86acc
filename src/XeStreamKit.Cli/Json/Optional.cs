using System.Text.Json;
using System.Text.Json.Serialization;

namespace XeStreamKit.Cli.Json;

// Some members are present only for some rows (a descriptor's devid, a VRAM packet's end) and are
// then a number or null: absent, null and a value are three states, which a nullable alone cannot
// say. A property of these types carries [JsonIgnore(Condition = WhenWritingDefault)]: the default
// (absent) is left out, Present(null) is written as null.

/// <summary>A number that is absent (default), null, or a value.</summary>
[JsonConverter(typeof(OptionalNumberConverter))]
public readonly record struct OptionalNumber(bool IsPresent, ulong? Value)
{
    /// <summary>Present: <paramref name="value"/>, or null.</summary>
    public static OptionalNumber Of(ulong? value) => new(true, value);
}

/// <summary>A string that is absent (default), null, or a value.</summary>
[JsonConverter(typeof(OptionalStringConverter))]
public readonly record struct OptionalString(bool IsPresent, string? Value)
{
    /// <summary>Present: <paramref name="value"/>, or null.</summary>
    public static OptionalString Of(string? value) => new(true, value);
}

/// <summary>Writes an <see cref="OptionalNumber"/>'s value or null (output only).</summary>
public sealed class OptionalNumberConverter : JsonConverter<OptionalNumber>
{
    /// <inheritdoc/>
    public override OptionalNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, OptionalNumber value, JsonSerializerOptions options)
    {
        if (value.Value is { } v) writer.WriteNumberValue(v);
        else writer.WriteNullValue();
    }
}

/// <summary>Writes an <see cref="OptionalString"/>'s value or null (output only).</summary>
public sealed class OptionalStringConverter : JsonConverter<OptionalString>
{
    /// <inheritdoc/>
    public override OptionalString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, OptionalString value, JsonSerializerOptions options)
    {
        if (value.Value is { } v) writer.WriteStringValue(v);
        else writer.WriteNullValue();
    }
}
