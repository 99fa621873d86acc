using System.CommandLine;
using System.Globalization;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Qemu;
using XeStreamKit.Text;

namespace XeStreamKit.Cli.Commands;

/// <summary>
/// <c>xsk qemu sections|extract|inject</c>: QEMU migration files (<c>migrate "file:..."</c>,
/// <c>"exec:cat > ..."</c>) that carry Xe VF device state inside a VFIO device section. One file
/// per subcommand (QemuSectionsCommand, QemuExtractCommand, QemuInjectCommand); the wording they
/// share is here.
/// </summary>
public static class QemuCommand
{
    /// <summary>Builds the command and its subcommands.</summary>
    public static Command Create(CliContext ctx) => new("qemu", "Find, extract and re-inject Xe VF device state in QEMU migration files")
    {
        QemuSectionsCommand.Create(ctx),
        QemuExtractCommand.Create(ctx),
        QemuInjectCommand.Create(ctx),
    };

    /// <summary>Errors from the Xe reader (not from the QEMU walk, whose fields start with "qemu").</summary>
    internal static bool IsXeLevel(MigrationStreamFormatException e) => !e.Field.StartsWith("qemu", StringComparison.Ordinal);

    /// <summary>The same error, saying its offset is in an Xe stream and which one.</summary>
    internal static MigrationStreamFormatException InXeStream(MigrationStreamFormatException e, string where) =>
        new(e.StreamOffset, e.PacketIndex, e.PacketType, e.Field, $"{e.Problem} (Xe stream offset, {where}): not an Xe packet chain");

    internal static string Found(QemuSection s) => s.Delimitation switch
    {
        QemuDelimitation.Described => "described",
        QemuDelimitation.Scanned => s.Confirmed ? "confirmed" : "scanned",
        _ => "parsed",
    };

    /// <summary>Whether the record list is QEMU's or rests on heuristics, in one line.</summary>
    internal static string Exactness(QemuStreamSummary sum, QemuStreamHeader header)
    {
        if (sum.IsExact && sum.ScannedSections == 0) return "Exact: every record's end was parsed or walked with QEMU's JSON vmstate description";
        if (sum.IsExact) return $"Exact: the {Count(sum.ScannedSections, "section")} delimited by scanning agree with QEMU's JSON vmstate description read at the end";
        var why = sum.ScannedConfiguration ? $"the configuration has unknown subsections ({string.Join(" ", header.UnknownSubsections)}) whose end was scanned; " : "";
        return $"HEURISTIC: {why}{sum.ScannedSections - sum.ConfirmedSections} section ends were found by scanning and nothing in the stream confirms them (no usable JSON vmstate description)";
    }

    internal static string Count(long n, string one, string? many = null) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many ?? one + "s");

    /// <summary>One line about a VFIO device (shared by text outputs).</summary>
    internal static string DescribeDevice(QemuVfioDevice d)
    {
        var where = $"section {d.SectionId}, instance {d.InstanceId}";
        if (d.DataBytes > 0)
            return $"{where}: {Count(d.DataBytes, "byte")} ({Units.Bytes(d.DataBytes)}) of device data in {Count(d.DataBlocks, "block")} (largest {Units.Bytes(d.LargestBlock)}) from {Units.Hex((ulong)d.FirstDataOffset)}"
                + (d.DataOutsideEnd ? $", {d.SectionsWithData} sections (pre-copy)" : "");
        if (d.SentNoData) return $"{where}: no data in the main stream: {d.NoDataExplanation}";
        return $"{where}: no END section seen";
    }
}
