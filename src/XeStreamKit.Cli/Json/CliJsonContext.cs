using System.Text.Json.Serialization;

namespace XeStreamKit.Cli.Json;

/// <summary>
/// The one serializer context of xsk's JSON output: every output record, generated at build time
/// (no reflection, so the Native AOT publish stays free of trim warnings). Documents and rows are
/// written to a <see cref="System.Text.Json.Utf8JsonWriter"/> made with
/// <see cref="Plumbing.JsonOut.WriterOptions"/>, whose indentation and encoder apply.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    WriteIndented = true,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(FailureDocument))]
[JsonSerializable(typeof(StreamErrorJson))]
[JsonSerializable(typeof(InspectContainerJson))]
[JsonSerializable(typeof(InspectPacketJson))]
[JsonSerializable(typeof(InspectTotalsJson))]
[JsonSerializable(typeof(QemuConfigurationJson))]
[JsonSerializable(typeof(QemuSectionJson))]
[JsonSerializable(typeof(QemuVmDescriptionJson))]
[JsonSerializable(typeof(IReadOnlyList<QemuVfioDeviceJson>))]
[JsonSerializable(typeof(QemuExtractJson))]
[JsonSerializable(typeof(QemuInjectJson))]
[JsonSerializable(typeof(ValidateJson))]
[JsonSerializable(typeof(CompatJson))]
[JsonSerializable(typeof(TransferJson))]
[JsonSerializable(typeof(BenchJson))]
[JsonSerializable(typeof(ThroughputJson))]
[JsonSerializable(typeof(ReportJson))]
[JsonSerializable(typeof(RulesJson))]
[JsonSerializable(typeof(CompletionJson))]
[JsonSerializable(typeof(CorpusJson))]
[JsonSerializable(typeof(CorpusHazardsJson))]
[JsonSerializable(typeof(FuzzJson))]
[JsonSerializable(typeof(VectorResultJson))]
[JsonSerializable(typeof(DemoJson))]
// The value types a demo step's data can hold (serialized as object).
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
public sealed partial class CliJsonContext : JsonSerializerContext;
