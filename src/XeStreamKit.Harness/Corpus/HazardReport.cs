using System.Text;
using XeStreamKit.Compatibility;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Devices.Host;

namespace XeStreamKit.Harness.Corpus;

/// <summary>
/// Material for an upstream bug report (<c>xsk corpus generate --hazards</c>): the corpus vectors
/// that crash or hang the xe driver, each with a README giving the smallest write sequence that
/// triggers it (found by dropping packets while the driver model still hits the same hazard on
/// both driver versions), its bytes in hex, the code path and what happens.
/// </summary>
public static class HazardReport
{
    /// <summary>Writes <c>&lt;name&gt;.bin</c> (the whole vector), <c>&lt;name&gt;.min.bin</c> (the
    /// smallest trigger) and <c>&lt;name&gt;.md</c> per hazard vector, and an index <c>README.md</c>.</summary>
    /// <returns>The hazard vectors written.</returns>
    public static IReadOnlyList<CorpusEntry> Write(string directory, TargetProfile? home = null)
    {
        var vectors = CorpusGenerator.Vectors(home).Where(v => v.Entry.Stored && v.Entry.Expect.Hazard != DriverHazard.None).ToList();
        Directory.CreateDirectory(directory);
        var index = new StringBuilder();
        index.AppendLine("# xe driver hazards found by XeStreamKit").AppendLine()
            .AppendLine("Streams that make the xe PF driver oops or hang on restore (the VF migration data file of")
            .AppendLine("`xe-vfio-pci` or debugfs `sriov/vfN/migration_data`, in RESUMING). Read from the kernel sources")
            .AppendLine("(torvalds/linux, paths relative to drivers/gpu/drm/xe/), not run on hardware: **do not replay them on a")
            .AppendLine("host you need**. Each README has the smallest write sequence, its bytes, the code path and what happens.")
            .AppendLine();
        foreach (var v in vectors)
        {
            var bytes = ReadAll(v.Open());
            var target = TargetSpec.Parse(v.Entry.Target, $"{v.Entry.Name} target", source: HostTargetSource.Default).Target;
            var writes = SmallestTrigger(bytes, target, v.Entry);
            File.WriteAllBytes(Path.Combine(directory, v.Entry.Name + ".bin"), bytes);
            File.WriteAllBytes(Path.Combine(directory, v.Entry.Name + ".min.bin"), writes.SelectMany(w => w).ToArray());
            File.WriteAllText(Path.Combine(directory, v.Entry.Name + ".md"), Readme(v.Entry, target, bytes, writes));
            index.AppendLine($"- [{v.Entry.Name}]({v.Entry.Name}.md): {v.Entry.Expect.Rule}, {HazardText.Phrase(v.Entry.Expect.Hazard)}; {writes.Count} write(s), {writes.Sum(w => w.Length)} bytes");
        }
        File.WriteAllText(Path.Combine(directory, "README.md"), index.ToString());
        return vectors.Select(v => v.Entry).ToList();
    }

    /// <summary>The fewest packets of <paramref name="bytes"/>, as one write() each and cut where the
    /// hazard strikes, that still reach <paramref name="entry"/>'s hazard for both driver versions.</summary>
    public static IReadOnlyList<byte[]> SmallestTrigger(byte[] bytes, TargetProfile target, CorpusEntry entry)
    {
        var packets = PacketEdits.Parse(bytes).ToList();
        // Drop packets one at a time, from the end, while the hazard stays the same.
        for (var i = packets.Count - 1; i >= 0; i--)
        {
            var fewer = packets.Where((_, j) => j != i).ToList();
            if (Triggers(fewer, target, entry) is not null) packets = fewer;
        }
        var writes = packets.Select(p => p.ToBytes()).ToList();
        // The hazard strikes inside the write that completes a header or a packet: nothing after it is needed.
        var at = Triggers(packets, target, entry) ?? throw new InvalidOperationException($"{entry.Name}: the model does not reach its hazard");
        var cut = new List<byte[]>();
        long sum = 0;
        foreach (var w in writes)
        {
            var take = (int)Math.Min(w.Length, at - sum);
            if (take <= 0) break;
            cut.Add(w[..take]);
            sum += take;
        }
        return cut;
    }

    /// <summary>The stream position after the write that hits the hazard, when both driver
    /// versions hit <paramref name="entry"/>'s hazard under the same rule; null otherwise.</summary>
    private static long? Triggers(List<PacketEdit> packets, TargetProfile target, CorpusEntry entry)
    {
        long? at = null;
        foreach (var driver in new[] { DriverVersion.V6_19, DriverVersion.Newest })
        {
            var model = new KernelRestoreModel(target with { Driver = driver });
            if (model.Setup() is not null) return null;
            RuleViolation? failure = null;
            long position = 0;
            foreach (var p in packets)
            {
                var b = p.ToBytes();
                // Header and payload as separate writes, so a hazard at header completion stops at the header.
                failure = model.Write(b.AsSpan(0, Math.Min(b.Length, Packet.HeaderSize)));
                position = model.Position;
                if (failure is null && b.Length > Packet.HeaderSize)
                {
                    failure = model.Write(b.AsSpan(Packet.HeaderSize));
                    position = model.Position;
                }
                if (failure is not null) break;
            }
            failure ??= model.Finish();
            var expected = entry.ExpectFor(driver);
            if (failure is null || failure.Hazard != expected.Hazard || failure.Rule.Id != expected.Rule) return null;
            at = position;
        }
        return at;
    }

    private static string Readme(CorpusEntry e, TargetProfile target, byte[] bytes, IReadOnlyList<byte[]> writes)
    {
        var rule = Rules.Find(e.Expect.Rule!)!;
        var sb = new StringBuilder();
        sb.AppendLine($"# {e.Name}: {HazardText.Phrase(e.Expect.Hazard)} ({rule.Id})").AppendLine();
        sb.AppendLine($"**What happens.** {rule.Statement}").AppendLine();
        if (rule.Note is { } note) sb.AppendLine(note).AppendLine();
        sb.AppendLine($"User space: {(e.Expect.Errno == Errno.None ? "no errno" : $"{ErrnoText.Name(e.Expect.Errno)} {(e.Expect.At == ReportedAt.Write ? "from the write()" : "when leaving RESUMING")}")}; then {HazardText.Aftermath(e.Expect.Hazard)}.").AppendLine();
        sb.AppendLine($"Why this vector: {e.Why}.").AppendLine();
        sb.AppendLine("**Code path.**").AppendLine();
        foreach (var (driver, name) in new[] { (DriverVersion.V6_19, "6.19"), (DriverVersion.Newest, "newest") })
            sb.AppendLine($"- {name}: faults or blocks in `{e.ExpectFor(driver).Function}`");
        sb.AppendLine($"- sources: {rule.Reference}").AppendLine();
        sb.AppendLine($"**Target.** A VF of `{e.Target}` ({target.Describe()}), in RESUMING, the way `xsk restore --device vfio:...` or `debugfs:...` puts it there.").AppendLine();
        sb.AppendLine($"**Smallest write sequence** ({writes.Count} write(s), {writes.Sum(w => w.Length)} bytes; `{e.Name}.min.bin`), each a separate `write()` to the migration data file:").AppendLine();
        long offset = 0;
        for (var i = 0; i < writes.Count; i++)
        {
            var w = writes[i];
            var what = w.Length >= Packet.HeaderSize ? Describe(PacketHeader.Read(w)) : $"{w.Length} bytes";
            sb.AppendLine($"{i + 1}. offset {offset}, {w.Length} bytes: {what}").AppendLine();
            sb.AppendLine("   ```").AppendLine(Hex(w, "   ")).AppendLine("   ```");
            offset += w.Length;
        }
        sb.AppendLine().AppendLine($"**Whole vector** (`{e.Name}.bin`, {bytes.Length} bytes, sha256 {e.Sha256}): packets");
        foreach (var p in PacketEdits.Parse(bytes)) sb.AppendLine($"- {Describe(PacketHeader.Read(p.ToBytes()))}");
        return sb.ToString();
    }

    private static string Describe(PacketHeader h) =>
        $"header version {h.Version}, type {(byte)h.Type} ({PacketTypeText.Id(h.Type)}), tile {h.TileId}, GT {h.GtId}, flags 0x{h.Flags:X}, offset 0x{h.Offset:X}, size {h.Size}";

    private static string Hex(byte[] bytes, string indent)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < bytes.Length; i += 16)
        {
            if (i > 0) sb.AppendLine();
            sb.Append(indent).Append(i.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).Append("  ")
              .Append(string.Join(' ', bytes.Skip(i).Take(16).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))));
        }
        return sb.ToString();
    }

    private static byte[] ReadAll(Stream s)
    {
        using (s)
        {
            var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }
    }
}
