using System.Buffers.Binary;
using XeStreamKit.Tests.Support;
using XeStreamKit.Qemu;

namespace XeStreamKit.Tests.Qemu;

/// <summary>A VFIO device in a built image.</summary>
/// <param name="IdStr">Its idstr, e.g. <c>0000:00:02.0/vfio</c>.</param>
/// <param name="Data">Device data sent in the END section (null: none, only END_OF_STATE).</param>
/// <param name="BlockSize">DEV_DATA_STATE block size.</param>
/// <param name="Multifd">Write what QEMU 10 writes under x-migration-multifd-transfer: a dummy
/// END_OF_STATE in the END and in the config FULL section, no data.</param>
/// <param name="PrecopyData">Data sent in a PART section before the END (pre-copy).</param>
public sealed record VfioDeviceSpec(string IdStr, byte[]? Data, int BlockSize = 1 << 20, bool Multifd = false, byte[]? PrecopyData = null);

/// <summary>What <see cref="QemuImages.Build"/> writes.</summary>
public sealed record QemuImageSpec
{
    public bool Footers { get; init; } = true;
    public bool Configuration { get; init; } = true;
    public IReadOnlyList<VfioDeviceSpec> Devices { get; init; } = [];
    /// <summary>Include the "ram" live handler (START, PART, END).</summary>
    public bool Ram { get; init; } = true;
    /// <summary>Put decoy marker bytes in RAM pages, in vmstate sections and in an unknown live handler.</summary>
    public bool Decoys { get; init; }
    /// <summary>RAM_SAVE_FLAG_MULTIFD_FLUSH in the RAM sections (the multifd capability).</summary>
    public bool RamMultifd { get; init; }
    public bool VmDescription { get; init; } = true;
}

/// <summary>
/// Builds QEMU migration files with <see cref="QemuMigrationWriter"/> in the order QEMU writes
/// them (qemu/qemu migration/savevm.c@99694362:qemu_savevm_state_setup, qemu_savevm_state_iterate,
/// qemu_savevm_state_complete_precopy): header, configuration, STARTs (ram, vfio devices, an unknown live handler),
/// a RAM PART, ENDs (ram, devices, the unknown handler), FULL vmstate sections with each
/// device's config, EOF, JSON description.
/// </summary>
public static class QemuImages
{
    public const uint RamSectionId = 2;
    public const uint FirstDeviceSectionId = 3;
    public const uint DecoyLiveSectionId = 60;
    public const uint TimerSectionId = 0;
    public const uint GlobalStateSectionId = 61;
    public const int PageSize = 4096;

    public static uint DeviceSectionId(int index) => FirstDeviceSectionId + (uint)index;

    public static byte[] Build(QemuImageSpec spec)
    {
        using var ms = new MemoryStream();
        Write(spec, ms);
        return ms.ToArray();
    }

    public static void Write(QemuImageSpec spec, Stream output)
    {
        using var w = new QemuMigrationWriter(output, spec.Footers, PageSize, leaveOpen: true);
        w.WriteHeader(spec.Configuration ? "pc-q35-10.0" : null);

        if (spec.Ram)
        {
            w.BeginSection(QemuRecordType.SectionStart, RamSectionId, "ram", 0, 4);
            w.WriteRamBlockList([("pc.ram", 16 * PageSize), ("/rom@etc/acpi/tables", PageSize)]);
            if (spec.RamMultifd) w.WriteRamMultifdFlush();
            w.WriteRamEos();
            w.EndSection();
        }
        for (var i = 0; i < spec.Devices.Count; i++)
        {
            w.BeginSection(QemuRecordType.SectionStart, DeviceSectionId(i), spec.Devices[i].IdStr, 0, 1);
            w.WriteVfioTag(VfioMigrationTag.DevSetupState);
            w.WriteVfioTag(VfioMigrationTag.EndOfState);
            w.EndSection();
        }
        if (spec.Decoys)
        {
            // A live handler this reader does not know: scanned.
            w.BeginSection(QemuRecordType.SectionStart, DecoyLiveSectionId, "decoy-live", 0, 1);
            w.WriteRaw(DecoyBytes(spec));
            w.EndSection();
        }

        if (spec.Ram)
        {
            w.BeginSection(QemuRecordType.SectionPart, RamSectionId);
            for (var p = 0; p < 16; p++)
            {
                if (p % 3 == 0) w.WriteRamZeroPage("pc.ram", (ulong)p * PageSize);
                else w.WriteRamPage("pc.ram", (ulong)p * PageSize, Page(spec, p));
            }
            if (spec.RamMultifd) w.WriteRamMultifdFlush();
            w.WriteRamEos();
            w.EndSection();
        }
        for (var i = 0; i < spec.Devices.Count; i++)
        {
            if (spec.Devices[i].PrecopyData is not { } pre) continue;
            w.BeginSection(QemuRecordType.SectionPart, DeviceSectionId(i));
            w.WriteVfioDeviceData(new MemoryStream(pre), spec.Devices[i].BlockSize);
            w.WriteVfioTag(VfioMigrationTag.DevInitDataSent);
            w.WriteVfioTag(VfioMigrationTag.EndOfState);
            w.EndSection();
        }

        if (spec.Ram)
        {
            w.BeginSection(QemuRecordType.SectionEnd, RamSectionId);
            w.WriteRamPage("/rom@etc/acpi/tables", 0, Page(spec, 99));
            w.WriteRamEos();
            w.EndSection();
        }
        for (var i = 0; i < spec.Devices.Count; i++)
        {
            var d = spec.Devices[i];
            w.BeginSection(QemuRecordType.SectionEnd, DeviceSectionId(i));
            if (!d.Multifd && d.Data is { } data) w.WriteVfioDeviceData(new MemoryStream(data), d.BlockSize);
            w.WriteVfioTag(VfioMigrationTag.EndOfState);
            w.EndSection();
        }
        if (spec.Decoys)
        {
            w.BeginSection(QemuRecordType.SectionEnd, DecoyLiveSectionId);
            w.WriteRaw(DecoyBytes(spec));
            w.EndSection();
        }

        // QEMU's JSON description lists every FULL section with its fields' sizes; these stand-ins
        // are described as QEMU describes a section without a vmsd: one "data" buffer.
        var described = new List<(string Name, int Size)>();
        var timer = spec.Decoys ? DecoyBytes(spec) : new byte[24];
        w.BeginSection(QemuRecordType.SectionFull, TimerSectionId, "timer", 0, 2);
        w.WriteRaw(timer);
        w.EndSection();
        described.Add(("timer", timer.Length));
        for (var i = 0; i < spec.Devices.Count; i++)
        {
            var d = spec.Devices[i];
            w.BeginSection(QemuRecordType.SectionFull, DeviceSectionId(i), d.IdStr, 0, 1);
            if (d.Multifd)
            {
                w.WriteVfioTag(VfioMigrationTag.EndOfState);
                described.Add((d.IdStr, 8));
            }
            else
            {
                w.WriteVfioTag(VfioMigrationTag.DevConfigState);
                var config = PciConfigVmstate(spec.Decoys);
                w.WriteRaw(config);
                w.WriteVfioTag(VfioMigrationTag.EndOfState);
                described.Add((d.IdStr, 16 + config.Length));
            }
            w.EndSection();
        }
        // vmstate_globalstate: be32 size, then the run state name in a 100-byte buffer.
        var globalState = new byte[104];
        globalState[3] = 8;
        "running"u8.CopyTo(globalState.AsSpan(4));
        w.BeginSection(QemuRecordType.SectionFull, GlobalStateSectionId, "globalstate", 0, 1);
        w.WriteRaw(globalState);
        w.EndSection();
        described.Add(("globalstate", globalState.Length));
        w.WriteEof();
        if (spec.VmDescription) w.WriteVmDescription(Description(described));
    }

    /// <summary>A JSON vmstate description as QEMU writes it for sections without a vmsd
    /// (migration/savevm.c:vmstate_save_old_style): one "data" buffer of the payload's size.</summary>
    public static string Description(IEnumerable<(string Name, int Size)> sections) =>
        "{\"page_size\": 4096, \"devices\": [" + string.Join(", ", sections.Select(s =>
            $"{{\"name\": \"{s.Name}\", \"instance_id\": 0, \"size\": {s.Size}, \"fields\": [{{\"name\": \"data\", \"size\": {s.Size}, \"type\": \"buffer\"}}]}}")) + "]}";

    /// <summary>What a chance match of VFIO framing looks like: the END header of the first
    /// device, DEV_DATA_STATE, a size, a real Xe descriptor, END_OF_STATE, a footer for the
    /// device - but not preceded by the enclosing section's own footer, and not where an END can be.</summary>
    public static byte[] Decoy(uint vfioSectionId)
    {
        var xe = Vectors.MinimalStream;
        var bytes = new List<byte> { (byte)QemuRecordType.SectionEnd };
        bytes.AddRange(Be32(vfioSectionId));
        bytes.AddRange(Be64((ulong)VfioMigrationTag.DevDataState));
        bytes.AddRange(Be64((ulong)xe.Length));
        bytes.AddRange(xe);
        bytes.AddRange(Be64((ulong)VfioMigrationTag.EndOfState));
        bytes.Add((byte)QemuRecordType.SectionFooter);
        bytes.AddRange(Be32(vfioSectionId));
        bytes.AddRange("QEVM"u8.ToArray());
        return [.. bytes];
    }

    private static byte[] DecoyBytes(QemuImageSpec spec) =>
        [1, 2, 3, .. Decoy(spec.Devices.Count > 0 ? FirstDeviceSectionId : 3), 0x7E, 0xFF, 0xFF, 0xFF, 0xFF, 0xEF, 0x10, 0x00, 0x04, 9];

    private static byte[] Page(QemuImageSpec spec, int index)
    {
        var page = new byte[PageSize];
        SeededBytesFill(page, (ulong)index + 1);
        if (spec.Decoys)
        {
            var decoy = Decoy(spec.Devices.Count > 0 ? FirstDeviceSectionId : 3);
            decoy.CopyTo(page, 100 + index);
            // A RAM EOS word, a footer and a START header inside the page as well.
            Be64((ulong)RamSaveFlags.Eos).CopyTo(page, 2000);
            page[2008] = (byte)QemuRecordType.SectionFooter;
            Be32(RamSectionId).CopyTo(page, 2009);
        }
        return page;
    }

    /// <summary>A stand-in for vfio-pci's config vmstate: PCI config space bytes (with an
    /// END_OF_STATE pattern inside when <paramref name="decoys"/>).</summary>
    private static byte[] PciConfigVmstate(bool decoys)
    {
        var config = new byte[256 + 20];
        SeededBytesFill(config, 77);
        BinaryPrimitives.WriteUInt16LittleEndian(config, 0x8086);
        BinaryPrimitives.WriteUInt16LittleEndian(config.AsSpan(2), 0xE20B);
        if (decoys) Be64((ulong)VfioMigrationTag.EndOfState).CopyTo(config, 64);
        return config;
    }

    private static void SeededBytesFill(byte[] bytes, ulong seed) => XeStreamKit.Devices.Emulated.SeededBytes.Fill(bytes, seed, 0);

    public static byte[] Be32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return b;
    }

    public static byte[] Be64(ulong v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, v);
        return b;
    }

    /// <summary>Extracts the device data with the core reader and checks it is an Xe chain.</summary>
    public static byte[] Extract(Stream image, string? device = null)
    {
        using var reader = new QemuMigrationReader(image);
        var data = reader.FindDeviceData(device).DataOrThrow();
        var output = new MemoryStream();
        XeStreamChain.CopyVerified(data, output);
        return output.ToArray();
    }

    public static string FixturePath(string name) =>
        Path.Combine(RepoPaths.Root, "tests", "XeStreamKit.Tests", "Qemu", "fixtures", name);

    public static string TempFile(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"xsk-qemu-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
