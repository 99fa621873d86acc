using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using XeStreamKit.Tests.Support;
using XeStreamKit.Generators;

namespace XeStreamKit.Tests.Format;

/// <summary>The source generator run in-process on the real spec and on edited copies.</summary>
public class GeneratorTests
{
    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        public override string Path => path;
        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private static readonly string RealSpec = File.ReadAllText(RepoPaths.Spec);

    private static CSharpCompilation EmptyCompilation() => CSharpCompilation.Create("probe",
        references: Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System*.dll")
            .Append(typeof(object).Assembly.Location).Distinct().Select(p => MetadataReference.CreateFromFile(p)),
        options: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static (GeneratorDriverRunResult Run, Compilation Output, GeneratorDriver Driver) Generate(string ksy, GeneratorDriver? driver = null, string path = "/spec/xe_sriov_migration.ksy")
    {
        var compilation = EmptyCompilation();
        driver ??= CSharpGeneratorDriver.Create(new SpecGenerator().AsSourceGenerator());
        var texts = ImmutableArray.Create<AdditionalText>(new InMemoryText(path, ksy));
        driver = driver.ReplaceAdditionalTexts(texts);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult(), output, driver);
    }

    private static string GeneratedSource(GeneratorDriverRunResult run) =>
        run.Results.Single().GeneratedSources.Single().SourceText.ToString();

    [Fact]
    public void Real_spec_generates_code_that_compiles_without_diagnostics()
    {
        var (run, output, _) = Generate(RealSpec);
        run.Diagnostics.ShouldBeEmpty();
        output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ShouldBeEmpty();
        var source = GeneratedSource(run);
        source.ShouldContain("public readonly partial struct PacketHeader");
        source.ShouldContain("public const int EncodedSize = 24;");
        source.ShouldContain("BinaryPrimitives.ReadUInt64LittleEndian(source.Slice(FieldOffsets.Size))");
    }

    [Theory]
    [InlineData("      - id: header\n        type: packet_header\n", "      - id: header\n        type: packet_header\n        process: zlib\n", "types/packet/seq/0/process", "process")]
    [InlineData("enums:\n", "instances:\n  foo:\n    value: 1\nenums:\n", "instances", "instances")]
    [InlineData("  endian: le\n", "  endian: le\n  bit-endian: le\n", "meta/bit-endian", "bit-endian")]
    [InlineData("        type: u8\n        repeat: eos\n", "        type: u8\n        repeat: eos\n        if: true\n", "types/ggtt_payload/seq/0/if", "if")]
    public void An_unsupported_key_is_a_compile_error_naming_it(string anchor, string replacement, string path, string key)
    {
        RealSpec.ShouldContain(anchor);
        var edited = ReplaceFirst(RealSpec, anchor, replacement);
        var (run, _, _) = Generate(edited);
        var d = run.Diagnostics.ShouldHaveSingleItem();
        d.Id.ShouldBe("XSK001");
        d.Severity.ShouldBe(DiagnosticSeverity.Error);
        d.GetMessage().ShouldContain($"{path}: key '{key}' is not supported");
        d.Location.GetLineSpan().Path.ShouldBe("/spec/xe_sriov_migration.ksy");
        run.Results.Single().GeneratedSources.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("      - id: tile_id\n        type: u1\n", "      - id: tile_id\n        type: str\n", "XSK002", "type 'str' is not supported")]
    [InlineData("        type: u8\n        repeat: eos\n", "        type: u8\n        repeat: until\n", "XSK002", "repeat 'until' is not supported")]
    [InlineData("  endian: le\n", "  endian: host\n", "XSK002", "endian 'host' is not supported")]
    [InlineData("        type: packet_header\n", "        type: packet_headr\n", "XSK004", "type 'packet_headr' is not defined")]
    [InlineData("        size: header.size\n", "        size: header.length\n", "XSK004", "'header.length' does not name an integer field")]
    [InlineData("            'packet_type::mmio': mmio_payload\n", "            'packet_type::mmoi': mmio_payload\n", "XSK004", "case 'packet_type::mmoi' is not a value")]
    public void An_unsupported_or_dangling_construct_is_a_compile_error(string anchor, string replacement, string id, string message)
    {
        RealSpec.ShouldContain(anchor);
        var (run, _, _) = Generate(ReplaceFirst(RealSpec, anchor, replacement));
        run.Diagnostics.ShouldContain(d => d.Id == id && d.Severity == DiagnosticSeverity.Error && d.GetMessage().Contains(message),
            string.Join("\n", run.Diagnostics.Select(d => d.ToString())));
        run.Results.Single().GeneratedSources.ShouldBeEmpty();
    }

    [Fact]
    public void Invalid_yaml_is_a_compile_error_with_a_position()
    {
        var (run, _, _) = Generate("meta:\n  id: [unclosed\n");
        var d = run.Diagnostics.ShouldHaveSingleItem();
        d.Id.ShouldBe("XSK003");
        d.Location.GetLineSpan().StartLinePosition.Line.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Theory]
    [InlineData("/spec/xe_sriov_migration.ksy", "")]
    [InlineData("/spec/rules.yaml", "")]
    [InlineData("/spec/devices.yaml", "")]
    [InlineData("/spec/rules.yaml", "drivers: []\n---\nprofiles: []\n")]
    [InlineData("/spec/devices.yaml", "# nothing but a comment\n")]
    public void A_spec_file_that_is_not_exactly_one_yaml_document_is_a_compile_error(string path, string text)
    {
        var (run, _, _) = Generate(text, path: path);
        var d = run.Diagnostics.ShouldHaveSingleItem();
        d.Id.ShouldBe("XSK003");
        d.Severity.ShouldBe(DiagnosticSeverity.Error);
        d.GetMessage().ShouldContain("expected exactly one YAML document");
        run.Results.Single().GeneratedSources.ShouldBeEmpty();
    }

    [Fact]
    public void Editing_the_spec_changes_the_generated_layout_on_the_next_run()
    {
        var (first, _, driver) = Generate(RealSpec);
        GeneratedSource(first).ShouldContain("public const int EncodedSize = 24;");

        var edited = ReplaceFirst(RealSpec, "      - id: size\n        type: u8\n", "      - id: size\n        type: u8\n      - id: crc\n        type: u4\n");
        var (second, output, _) = Generate(edited, driver);
        second.Diagnostics.ShouldBeEmpty();
        var source = GeneratedSource(second);
        source.ShouldContain("public const int EncodedSize = 28;");
        source.ShouldContain("public const int Crc = Size + FieldLengths.Size;");

        // The edited layout really is what the generated code reads: compile it with a probe and run it.
        var probe = CSharpSyntaxTree.ParseText(
            "public static class Probe { public static uint Crc(byte[] b) => XeStreamKit.Format.PacketHeader.Read(b).Crc; }");
        using var ms = new MemoryStream();
        var emit = output.AddSyntaxTrees(probe).Emit(ms);
        emit.Success.ShouldBeTrue(string.Join("\n", emit.Diagnostics));
        var assembly = Assembly.Load(ms.ToArray());
        assembly.GetType("XeStreamKit.Format.PacketHeader")!.GetField("EncodedSize")!.GetValue(null).ShouldBe(28);
        var bytes = new byte[28];
        bytes[24] = 0x78; bytes[25] = 0x56; bytes[26] = 0x34; bytes[27] = 0x12;
        assembly.GetType("Probe")!.GetMethod("Crc")!.Invoke(null, [bytes]).ShouldBe(0x12345678u);
    }

    [Fact]
    public void The_rule_and_device_catalogs_generate_and_reject_what_they_do_not_understand()
    {
        var rules = File.ReadAllText(RepoPaths.Rules);
        var devices = File.ReadAllText(RepoPaths.Devices);
        var (ok, _, _) = Generate(rules, path: "/spec/rules.yaml");
        ok.Diagnostics.ShouldBeEmpty();
        GeneratedSource(ok).ShouldContain("public static RuleInfo XeHdrVersion { get; }");
        var (okDevices, _, _) = Generate(devices, path: "/spec/devices.yaml");
        okDevices.Diagnostics.ShouldBeEmpty();
        GeneratedSource(okDevices).ShouldContain("public static PlatformInfo Bmg { get; }");

        var badKey = Generate(ReplaceFirst(rules, "    severity: error\n", "    severity: error\n    weight: 3\n"), path: "/spec/rules.yaml").Run;
        badKey.Diagnostics.ShouldContain(d => d.Id == "XSK001" && d.GetMessage().Contains("key 'weight' is not supported"));
        var badErrno = Generate(ReplaceFirst(rules, "errno: ENODEV", "errno: enodev"), path: "/spec/rules.yaml").Run;
        badErrno.Diagnostics.ShouldContain(d => d.Id == "XSK002" && d.GetMessage().Contains("'enodev' is not an errno name"));
        // A hazard rule says what the driver does (oops-in-write, oops-in-worker, hang) and is of severity hazard; no other rule is.
        GeneratedSource(ok).ShouldContain("DriverHazard.Hang");
        var badHazard = Generate(ReplaceFirst(rules, "hazard: hang", "hazard: reboot"), path: "/spec/rules.yaml").Run;
        badHazard.Diagnostics.ShouldContain(d => d.Id == "XSK002" && d.GetMessage().Contains("hazard 'reboot' is not one of"));
        var hazardAsError = Generate(ReplaceFirst(rules, "    severity: hazard\n    profiles: [kernel, strict]\n    hazard: hang", "    severity: error\n    profiles: [kernel, strict]\n    hazard: hang"), path: "/spec/rules.yaml").Run;
        hazardAsError.Diagnostics.ShouldContain(d => d.GetMessage().Contains("a hazard rule has severity hazard"));
        var errorAsHazard = Generate(ReplaceFirst(rules, "    severity: error\n    profiles: [kernel, strict]\n    errno: EINVAL\n    reported: write\n    ref: \"xe_sriov_packet.c@83675851547e:xe_sriov_packet_init_from_hdr",
            "    severity: hazard\n    profiles: [kernel, strict]\n    errno: EINVAL\n    reported: write\n    ref: \"xe_sriov_packet.c@83675851547e:xe_sriov_packet_init_from_hdr"), path: "/spec/rules.yaml").Run;
        errorAsHazard.Diagnostics.ShouldContain(d => d.GetMessage().Contains("severity hazard needs a hazard"));
        var dupDevice = Generate(ReplaceFirst(devices, "0xE202, ", "0xE202, 0xB080, "), path: "/spec/devices.yaml").Run;
        dupDevice.Diagnostics.ShouldContain(d => d.Id == "XSK002" && d.GetMessage().Contains("device id 0xB080 is listed 2 times"));
        var badKind = Generate(ReplaceFirst(devices, "kind: media", "kind: render"), path: "/spec/devices.yaml").Run;
        badKind.Diagnostics.ShouldContain(d => d.GetMessage().Contains("kind 'render' is not main or media"));
    }

    private static string ReplaceFirst(string text, string anchor, string replacement)
    {
        var i = text.IndexOf(anchor, StringComparison.Ordinal);
        i.ShouldBeGreaterThanOrEqualTo(0, $"anchor not found: {anchor}");
        return text[..i] + replacement + text[(i + anchor.Length)..];
    }
}
