using System.Diagnostics;
using System.Text.Json;
using XeStreamKit.Tests.Support;
using XeStreamKit.Format;
using XeStreamKit.Reading;
using XeStreamKit.Writing;

namespace XeStreamKit.Differential.Tests;

/// <summary>
/// The official Kaitai Struct compiler (npm kaitai-struct-compiler 0.11.0, pinned in
/// kaitai/package-lock.json next to this file) compiles spec/xe_sriov_migration.ksy, and the JavaScript
/// parser it generates must see exactly the packets our reader sees.
/// </summary>
public class KaitaiOracleTests
{
    private static (int Code, string StdOut, string StdErr) Node(params string[] args)
    {
        var psi = new ProcessStartInfo("node") { WorkingDirectory = RepoPaths.KaitaiDir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(RepoPaths.KaitaiDir, "oracle.js"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit(120_000).ShouldBeTrue("node oracle timed out");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Spec_compiles_with_the_official_compiler_for_several_targets()
    {
        var (code, stdout, stderr) = Node("compile", RepoPaths.Spec, "javascript", "csharp", "python", "java", "rust");
        code.ShouldBe(0, stderr);
        stdout.ShouldContain("javascript XeSriovMigration.js");
        stdout.ShouldContain("csharp XeSriovMigration.cs");
        stdout.ShouldContain("rust xe_sriov_migration.rs");
    }

    public static IEnumerable<object[]> Streams()
    {
        // Every stored y_ vector of the conformance corpus, then hand-made odd cases.
        foreach (var f in Directory.GetFiles(RepoPaths.Corpus, "y_*.bin").Order(StringComparer.Ordinal))
            yield return [Path.GetFileNameWithoutExtension(f), File.ReadAllBytes(f)];
        yield return ["minimal", Vectors.MinimalStream];
        yield return ["small-driver-shaped", Vectors.SmallDriverShaped()];
        yield return ["bmg-sample", Vectors.Sample(3 * 4096)];
        yield return ["odd-types-and-klvs", OddStream()];
        yield return ["empty", Array.Empty<byte>()];
    }

    private static byte[] OddStream()
    {
        using var ms = new MemoryStream();
        using (var w = new MigrationStreamWriter(ms, leaveOpen: true))
        {
            w.WriteDescriptor([new KlvValue(0, ReadOnlyMemory<uint>.Empty), new KlvValue((KlvKey)0xF0FF, new uint[] { 1, 2, 3 }), new KlvValue(KlvKey.DeviceId, new uint[] { 0xB080, 9 })]);
            w.WritePacket((PacketType)7, 1, 3, new byte[] { 1, 2, 3 });
            w.WritePacket((PacketType)0, 0, 0, ReadOnlySpan<byte>.Empty);
            w.WriteGgtt(0, 0, [0x1FFF_FFFF_FFFF_F003UL, 0]);
            w.WriteMmio(0, 0, []);
            w.WritePacket(PacketType.Vram, 0, 0, new byte[5], offset: 0x7000_0000_0000);
            w.WriteTrailer();
            w.WriteTrailer();
        }
        return ms.ToArray();
    }

    [Fact]
    public void Official_parser_sees_the_same_packets_as_ours()
    {
        var dir = Directory.CreateTempSubdirectory("xsk-kaitai-");
        try
        {
            var files = Streams().Select(s =>
            {
                var path = Path.Combine(dir.FullName, (string)s[0] + ".bin");
                if (File.Exists(path)) throw new InvalidOperationException($"two streams named {s[0]}");
                File.WriteAllBytes(path, (byte[])s[1]);
                return path;
            }).ToList();
            var (code, stdout, stderr) = Node(["parse", RepoPaths.Spec, .. files]);
            code.ShouldBe(0, stderr);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines.Length.ShouldBe(files.Count);
            for (var i = 0; i < files.Count; i++)
            {
                using var doc = JsonDocument.Parse(lines[i]);
                var theirs = doc.RootElement.GetProperty("packets").EnumerateArray().ToList();
                var ours = Ours(File.ReadAllBytes(files[i]));
                theirs.Count.ShouldBe(ours.Count, files[i]);
                for (var j = 0; j < ours.Count; j++) Compare(ours[j], theirs[j], $"{Path.GetFileName(files[i])} packet {j}");
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private sealed record OurPacket(MigrationPacket Packet, DescriptorInfo? Descriptor, ulong[]? Ptes, uint[]? Registers);

    private static List<OurPacket> Ours(byte[] data)
    {
        var list = new List<OurPacket>();
        using var reader = new MigrationStreamReader(new MemoryStream(data));
        while (reader.ReadNextPacket())
        {
            var p = reader.Current;
            switch (Packet.PayloadKindOf(p.Type))
            {
                case PacketPayloadKind.DescriptorPayload:
                    list.Add(new OurPacket(p, reader.ReadDescriptor(), null, null));
                    break;
                case PacketPayloadKind.GgttPayload:
                    var ptes = new ulong[p.PayloadSize / 8];
                    reader.ReadGgttPtes(ptes);
                    list.Add(new OurPacket(p, null, ptes, null));
                    break;
                case PacketPayloadKind.MmioPayload:
                    var regs = new uint[p.PayloadSize / 4];
                    reader.ReadMmioRegisters(regs);
                    list.Add(new OurPacket(p, null, null, regs));
                    break;
                default:
                    list.Add(new OurPacket(p, null, null, null));
                    break;
            }
        }
        return list;
    }

    private static void Compare(OurPacket ours, JsonElement theirs, string where)
    {
        var h = ours.Packet.Header;
        theirs.GetProperty("index").GetInt64().ShouldBe(ours.Packet.Index, where);
        theirs.GetProperty("version").GetInt32().ShouldBe(h.Version, where);
        theirs.GetProperty("type").GetString().ShouldBe(PacketTypeText.Id(h.Type), where);
        theirs.GetProperty("typeId").GetInt32().ShouldBe((byte)h.Type, where);
        theirs.GetProperty("tileId").GetInt32().ShouldBe(h.TileId, where);
        theirs.GetProperty("gtId").GetInt32().ShouldBe(h.GtId, where);
        theirs.GetProperty("flags").GetUInt32().ShouldBe(h.Flags, where);
        // The JS runtime returns u8 as a double: exact up to 2^53, compared at double precision.
        theirs.GetProperty("offset").GetDouble().ShouldBe((double)h.Offset, where);
        theirs.GetProperty("size").GetDouble().ShouldBe((double)h.Size, where);
        if (ours.Descriptor is { } d)
        {
            var klvs = theirs.GetProperty("klvs").EnumerateArray().ToList();
            klvs.Count.ShouldBe((int)d.KlvCount, where);
            for (var k = 0; k < klvs.Count; k++)
            {
                klvs[k].GetProperty("key").GetInt32().ShouldBe((ushort)d.Klvs[k].Key, where);
                klvs[k].GetProperty("len").GetInt32().ShouldBe(d.Klvs[k].Length, where);
                klvs[k].GetProperty("value").EnumerateArray().Select(v => v.GetUInt32()).ToArray().ShouldBe(d.Klvs[k].Value.ToArray(), where);
            }
        }
        else if (ours.Ptes is { } ptes)
            theirs.GetProperty("ptes").EnumerateArray().Select(v => v.GetDouble()).ToArray().ShouldBe(ptes.Select(v => (double)v).ToArray(), where);
        else if (ours.Registers is { } regs)
            theirs.GetProperty("registers").EnumerateArray().Select(v => v.GetUInt32()).ToArray().ShouldBe(regs, where);
        else
            theirs.GetProperty("payloadBytes").GetDouble().ShouldBe((double)h.Size, where);
    }
}
