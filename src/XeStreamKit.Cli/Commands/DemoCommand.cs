using System.CommandLine;
using XeStreamKit.Cli.Cli;
using XeStreamKit.Format;
using XeStreamKit.Synthetic;
using XeStreamKit.Text;
using XeStreamKit.Writing;

namespace XeStreamKit.Cli.Commands;

/// <summary>
/// <c>xsk demo</c>: writes a stream shaped like the driver's save of a Battlemage (BMG, 0xE20B)
/// VF with the writer - descriptor; GuC, GGTT, MMIO and VRAM chunks on the main GT; GuC and
/// MMIO on the media GT; trailer - then inspects it.
/// </summary>
public static class DemoCommand
{
    /// <summary>The driver's VRAM chunk size, VF_VRAM_STATE_CHUNK_MAX_SIZE (SZ_512M).</summary>
    public const ulong DriverChunkSize = 512UL << 20;

    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext ctx)
    {
        var lmem = new Option<string>("--lmem") { Description = "VF local memory to save (e.g. 64MiB, 1GiB)", DefaultValueFactory = _ => "64MiB" };
        var json = new Option<bool>("--json") { Description = "Print the inspection as JSON" };
        var command = new Command("demo", "Write a sample BMG VF migration stream and inspect it") { lmem, json };
        command.SetAction(parse => CommandRunner.Run(ctx.Error, () =>
        {
            var lmemBytes = SpecText.ParseSize(parse.GetValue(lmem)!, "--lmem");
            var path = Path.Combine(Path.GetTempPath(), $"xsk-demo-{Environment.ProcessId}.bin");
            try
            {
                using (var file = AtomicFile.Create(path))
                {
                    using (var writer = new MigrationStreamWriter(file.Stream, leaveOpen: true))
                        WriteSample(writer, 0xE20B, 0, lmemBytes, seed: 1);
                    file.Commit();
                }
                if (!parse.GetValue(json)) ctx.Out.WriteLine($"Wrote a sample BMG VF stream ({Units.Bytes(new FileInfo(path).Length)}) to {path}; inspecting it:");
                using var stream = Inputs.Open(path, ctx.StdIn);
                return InspectCommand.Run(ctx, stream, parse.GetValue(json));
            }
            finally
            {
                File.Delete(path);
            }
        }));
        return command;
    }

    /// <summary>The driver's save order for a discrete part with one tile: main GT 0 with GGTT and
    /// VRAM, media GT 1 without; contents derived from <paramref name="seed"/>.</summary>
    public static void WriteSample(MigrationStreamWriter writer, uint deviceId, uint revisionId, ulong lmemBytes, ulong seed)
    {
        writer.WriteDescriptor(deviceId, revisionId);
        Span<byte> guc = stackalloc byte[4096];
        for (byte gt = 0; gt < 2; gt++)
        {
            var main = gt == 0;
            SeededBytes.Fill(guc, seed ^ (0x6C00UL + gt), 0);
            writer.WritePacket(PacketType.Guc, 0, gt, guc);
            if (main)
            {
                var ptes = new ulong[1024];
                for (var i = 0; i < ptes.Length; i++) ptes[i] = (0x8000_0000UL + (ulong)i * 4096) | GgttPte.PresentBit | GgttPte.LocalMemoryBit;
                writer.WriteGgtt(0, gt, ptes);
            }
            writer.WriteMmio(0, gt, [(uint)seed, gt, 0, 0xA5A5_0000u + gt]);
            if (main)
            {
                var chunk = new byte[1 << 20];
                for (ulong offset = 0; offset < lmemBytes; offset += DriverChunkSize)
                {
                    var size = Math.Min(DriverChunkSize, lmemBytes - offset);
                    writer.BeginPacket(PacketType.Vram, 0, gt, size, offset);
                    for (ulong done = 0; done < size;)
                    {
                        var n = (int)Math.Min((ulong)chunk.Length, size - done);
                        SeededBytes.Fill(chunk.AsSpan(0, n), seed, offset + done);
                        writer.WritePayload(chunk.AsSpan(0, n));
                        done += (ulong)n;
                    }
                    writer.EndPacket();
                }
            }
        }
        writer.WriteTrailer();
    }
}
