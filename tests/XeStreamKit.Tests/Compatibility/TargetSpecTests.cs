using XeStreamKit.Compatibility;
using XeStreamKit.Text;
using XeStreamKit.Validation;
using XeStreamKit.Devices.Host;

namespace XeStreamKit.Tests.Compatibility;

public class TargetSpecTests
{
    [Fact]
    public void A_platform_gives_topology_default_id_and_the_catalog_defaults()
    {
        var t = TargetSpec.Parse("bmg").Target;
        (t.DeviceId, t.RevisionId, t.HasLmem, t.GgttBytes, t.LmemBytes).ShouldBe((0xE20Bu, 0u, true, 512UL << 20, 1UL << 30));
        t.Gts.Select(g => (g.Id, g.TileId, g.Kind)).ShouldBe([(0, 0, GtKind.Main), (1, 0, GtKind.Media)]);
        t.Driver.ShouldBe(DriverVersion.Newest);
        var ptl = TargetSpec.Parse("ptl").Target;
        (ptl.DeviceId, ptl.HasLmem, ptl.LmemBytes).ShouldBe((0xB080u, false, 0UL));
        TargetSpec.Parse("wcl").Target.DeviceId.ShouldBe(0xFD80u);
    }

    [Fact]
    public void Keys_override_ids_sizes_and_driver()
    {
        var t = TargetSpec.Parse("bmg,devid=0xE211,revid=2,lmem=4GiB,ggtt=256MiB,guc=70.54.1,driver=6.19,vf=3").Target;
        (t.DeviceId, t.RevisionId, t.LmemBytes, t.GgttBytes, t.Guc, t.Driver, t.VfId)
            .ShouldBe((0xE211u, 2u, 4UL << 30, 256UL << 20, (70, 54, 1), DriverVersion.V6_19, 3u));
        TargetSpec.Parse("bmg,lmem=1073741824").Target.LmemBytes.ShouldBe(1UL << 30);
    }

    [Fact]
    public void Extra_keys_are_returned_to_the_caller()
    {
        var p = TargetSpec.Parse("ptl,seed=42", "--device", ["seed"]);
        p.Extras["seed"].ShouldBe("42");
        Should.Throw<SpecTextException>(() => TargetSpec.Parse("ptl,seed=42")).Message.ShouldContain("unknown key 'seed'");
    }

    [Theory]
    [InlineData("xyz", "--target: unknown platform 'xyz' (known: bmg, ptl, wcl)")]
    [InlineData("", "--target: empty")]
    [InlineData("bmg,devid=0x1234", "--target: devid 0x1234 is not a bmg device id")]
    [InlineData("bmg,devid=banana", "--target devid: 'banana' is not an id")]
    [InlineData("bmg,lmem=4GB", "--target lmem: '4GB' is not a size")]
    [InlineData("ptl,lmem=1GiB", "--target: ptl has no local memory; lmem must be 0")]
    [InlineData("bmg,ggtt=1000", "--target: ggtt must be a multiple of 4096 bytes")]
    [InlineData("bmg,guc=70.54", "--target guc: '70.54' is not major.minor.patch")]
    [InlineData("bmg,driver=5.0", "--target driver: '5.0' is not one of 6.19, newest")]
    [InlineData("bmg,lmem", "--target: 'lmem' is not key=value")]
    [InlineData("bmg,lmem=1GiB,lmem=2GiB", "--target: 'lmem' is given twice")]
    [InlineData("bmg,vf=0", "--target vf: VFs are numbered from 1")]
    [InlineData("host:0000:03:00.0", "--target: host:0000:03:00.0 needs a VF number")]
    [InlineData("host:zz,vf=1", "--target: 'zz' is not a PCI address")]
    public void Malformed_specs_are_one_line_errors(string spec, string message)
    {
        var e = Should.Throw<SpecTextException>(() => TargetSpec.Parse(spec, "--target", source: HostTargetSource.Default, vfOption: "--vf"));
        e.Message.ShouldStartWith(message);
        e.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void A_json_file_takes_the_same_keys()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{"platform": "bmg", "devid": "0xE212", "revid": 1, "lmem": "2GiB", "ggtt": 268435456, "driver": "6.19"}""");
            var t = TargetSpec.Parse("@" + path, "--target", source: HostTargetSource.Default).Target;
            (t.DeviceId, t.RevisionId, t.LmemBytes, t.GgttBytes, t.Driver).ShouldBe((0xE212u, 1u, 2UL << 30, 256UL << 20, DriverVersion.V6_19));
            File.WriteAllText(path, "{\"devid\": 1}");
            Should.Throw<SpecTextException>(() => TargetSpec.Parse("@" + path, "--target", source: HostTargetSource.Default)).Message.ShouldContain("has no \"platform\"");
            File.WriteAllText(path, "{nope");
            Should.Throw<SpecTextException>(() => TargetSpec.Parse("@" + path, "--target", source: HostTargetSource.Default)).Message.ShouldContain("is not JSON");
            File.WriteAllText(path, "{\"platform\": \"bmg\", \"lmem\": [1]}");
            Should.Throw<SpecTextException>(() => TargetSpec.Parse("@" + path, "--target", source: HostTargetSource.Default)).Message.ShouldContain("'lmem' must be a string, number or boolean");
        }
        finally
        {
            File.Delete(path);
        }
        Should.Throw<IOException>(() => TargetSpec.Parse("@/nonexistent/host.json", "--target", source: HostTargetSource.Default)).Message.ShouldStartWith("--target: cannot read /nonexistent/host.json");
    }

    private sealed class FakeHost : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("xsk-host-").FullName;
        public string Sys => Path.Combine(Root, "sys");
        public string Debugfs => Path.Combine(Root, "debug");

        public void File(string relative, string content)
        {
            var path = Path.Combine(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllText(path, content);
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }

    [Fact]
    public void A_host_target_is_read_from_sysfs_and_the_newer_debugfs_layout()
    {
        using var host = new FakeHost();
        host.File("sys/bus/pci/devices/0000:03:00.0/device", "0xe211\n");
        host.File("sys/bus/pci/devices/0000:03:00.0/revision", "0x02\n");
        host.File("debug/dri/0000:03:00.0/sriov/vf2/tile0/ggtt_quota", "268435456\n");
        host.File("debug/dri/0000:03:00.0/sriov/vf2/tile0/vram_quota", "4294967296\n");
        host.File("debug/dri/0000:03:00.0/gt0/uc/guc_info", "GuC firmware: xe/bmg_guc_70.bin\n\tstatus: RUNNING\n\tversion: wanted 70.44.0, found 70.55.3\n");
        var reader = new HostTargetReader(host.Sys, host.Debugfs);
        var t = TargetSpec.Parse("host:0000:03:00.0", source: new HostTargetSource(reader), vf: 2).Target;
        (t.Platform?.Id, t.DeviceId, t.RevisionId, t.GgttBytes, t.LmemBytes, t.Guc, t.VfId)
            .ShouldBe(("bmg", 0xE211u, 2u, 256UL << 20, 4UL << 30, (70, 55, 3), 2u));
        t.MigrationUnavailableReason().ShouldBeNull();
        TargetSpec.Parse("host:0000:03:00.0,vf=2,driver=6.19", source: new HostTargetSource(reader)).Target.Driver.ShouldBe(DriverVersion.V6_19);
        Should.Throw<IOException>(() => TargetSpec.Parse("host:0000:03:00.0,vf=7", source: new HostTargetSource(reader))).Message
            .ShouldContain("no provisioning files for VF 7");
    }

    [Fact]
    public void A_host_target_is_read_from_the_older_per_gt_debugfs_layout()
    {
        using var host = new FakeHost();
        host.File("sys/bus/pci/devices/0000:00:02.0/device", "0xb080\n");
        host.File("sys/bus/pci/devices/0000:00:02.0/revision", "0x04\n");
        host.File("debug/dri/0000:00:02.0/gt0/vf1/ggtt_quota", "134217728\n");
        var t = new HostTargetReader(host.Sys, host.Debugfs).Read("0000:00:02.0", 1);
        (t.Platform?.Id, t.DeviceId, t.RevisionId, t.GgttBytes, t.LmemBytes, t.Guc).ShouldBe(("ptl", 0xB080u, 4u, 128UL << 20, 0UL, ((int, int, int)?)null));
    }

    [Fact]
    public void A_host_with_a_device_xe_vfio_pci_does_not_bind_cannot_migrate()
    {
        using var host = new FakeHost();
        host.File("sys/bus/pci/devices/0000:00:02.0/device", "0x6420\n");
        host.File("sys/bus/pci/devices/0000:00:02.0/revision", "0x00\n");
        host.File("debug/dri/0000:00:02.0/sriov/vf1/tile0/ggtt_quota", "4096\n");
        var t = new HostTargetReader(host.Sys, host.Debugfs).Read("0000:00:02.0", 1);
        t.Platform.ShouldBeNull();
        t.MigrationUnavailableReason().ShouldBe("xe-vfio-pci does not bind device 0x6420");
        Should.Throw<IOException>(() => new HostTargetReader(host.Sys, host.Debugfs).Read("0000:00:09.0", 1)).Message.ShouldContain("no PCI device 0000:00:09.0");
    }
}
