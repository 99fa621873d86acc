using FsCheck;
using FsCheck.Fluent;
using XeStreamKit.Compatibility;
using XeStreamKit.Tests.Support;
using XeStreamKit.Devices;
using XeStreamKit.Devices.Emulated;
using XeStreamKit.Devices.Vfio;
using XeStreamKit.Driver;
using XeStreamKit.Format;
using XeStreamKit.Reading;
using XeStreamKit.Text;
using XeStreamKit.Validation;

namespace XeStreamKit.Tests.Devices.Emulated;

public class EmulatedPfTests
{
    private static EmulatedVfDevice Device(string spec) => (EmulatedVfDevice)DeviceSpec.Open(spec);

    private static byte[] Save(IMigrationDevice device, Func<int, int>? readSize = null)
    {
        device.Pause();
        var data = device.BeginSave();
        var ms = new MemoryStream();
        var buffer = new byte[1 << 16];
        for (var i = 0; ; i++)
        {
            var n = data.Read(buffer, 0, readSize?.Invoke(i) ?? buffer.Length);
            if (n == 0) break;
            ms.Write(buffer, 0, n);
        }
        device.FinishSave();
        return ms.ToArray();
    }

    private static void Restore(IMigrationDevice device, byte[] bytes, Func<int, int>? writeSize = null)
    {
        device.Pause();
        var sink = device.BeginRestore();
        for (int at = 0, i = 0; at < bytes.Length; i++)
        {
            var n = Math.Min(writeSize?.Invoke(i) ?? 1 << 20, bytes.Length - at);
            sink.Write(bytes, at, n);
            at += n;
        }
        device.FinishRestore();
    }

    private static List<PacketHeader> Headers(byte[] bytes)
    {
        using var r = new MigrationStreamReader(new MemoryStream(bytes));
        return r.ReadPackets().Select(p => p.Header).ToList();
    }

    private static PacketHeader H(PacketType type, byte gt, ulong size, ulong offset = 0) => new(1, type, 0, gt, 0, offset, size);

    [Fact]
    public void A_bmg_save_has_the_drivers_order_and_sizes()
    {
        var bytes = Save(Device("emulated:bmg,lmem=40KiB,ggtt=64KiB,chunk=16KiB"));
        var guc = TargetSpec.Parse("bmg").Target.GucStateBytes;
        Headers(bytes).ShouldBe(
        [
            H(PacketType.Descriptor, 0, 16),
            H(PacketType.Guc, 0, guc),
            H(PacketType.Ggtt, 0, 64 * 1024 / 4096 * 8),
            H(PacketType.Mmio, 0, 16),
            H(PacketType.Vram, 0, 16384, 0),
            H(PacketType.Vram, 0, 16384, 16384),
            H(PacketType.Vram, 0, 8192, 32768),
            H(PacketType.Guc, 1, guc),
            H(PacketType.Mmio, 1, 16),
            H(PacketType.Trailer, 0, 0),
        ]);
        bytes.AsSpan(0, 40).ToArray().ShouldBe(Vectors.DescriptorE20B);
        bytes.AsSpan(bytes.Length - 24).ToArray().ShouldBe(Vectors.Trailer);
        StreamValidator.Validate(new MemoryStream(bytes), new ValidationOptions { Profile = Profile.Strict }).Diagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void A_ptl_save_has_no_vram_and_is_strictly_valid()
    {
        var bytes = Save(Device("emulated:ptl,ggtt=32KiB"));
        Headers(bytes).Select(h => (h.Type, h.GtId)).ShouldBe(
            [(PacketType.Descriptor, 0), (PacketType.Guc, 0), (PacketType.Ggtt, 0), (PacketType.Mmio, 0), (PacketType.Guc, 1), (PacketType.Mmio, 1), (PacketType.Trailer, 0)]);
        Headers(bytes)[0].ShouldBe(H(PacketType.Descriptor, 0, 16));
        StreamValidator.Validate(new MemoryStream(bytes), new ValidationOptions { Profile = Profile.Strict }).Diagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void The_default_bmg_save_uses_the_drivers_512_mib_chunks()
    {
        var device = Device("emulated:bmg,lmem=1GiB");
        device.Pause();
        using var reader = new MigrationStreamReader(device.BeginSave());
        var vram = reader.ReadPackets().Where(p => p.Type == PacketType.Vram).Select(p => (p.Header.Offset, p.PayloadSize)).ToList();
        vram.ShouldBe([(0UL, 512UL << 20), (512UL << 20, 512UL << 20)]);
    }

    [Fact]
    public void Saved_ggtt_ptes_have_the_vf_id_bits_cleared_and_the_vf_holds_them_tagged()
    {
        var device = Device("emulated:bmg,lmem=0,ggtt=16KiB,vf=3");
        device.Vf.GgttPtes.ShouldAllBe(p => new GgttPte(p).VfId == 3);
        var bytes = Save(device);
        using var reader = new MigrationStreamReader(new MemoryStream(bytes));
        reader.ReadPackets().First(p => p.Type == PacketType.Ggtt);
        var ptes = new ulong[4];
        reader.ReadGgttPtes(ptes).ShouldBe(4);
        ptes.ShouldAllBe(p => new GgttPte(p).VfId == 0 && new GgttPte(p).Present);
    }

    [Fact]
    public void Read_fills_the_buffer_until_the_end_then_returns_0_forever()
    {
        var device = Device("emulated:bmg,lmem=64KiB,ggtt=16KiB,chunk=16KiB");
        device.Pause();
        var data = device.BeginSave();
        var lengths = new List<int>();
        var buffer = new byte[1000];
        int n;
        while ((n = data.Read(buffer, 0, buffer.Length)) > 0)
        {
            lengths.Add(n);
            ((EmulatedSaveStream)data).Pending.ShouldBeLessThanOrEqualTo(EmulatedSaveStream.RingSize * 2);
        }
        lengths.Take(lengths.Count - 1).ShouldAllBe(x => x == 1000);
        data.Read(buffer, 0, buffer.Length).ShouldBe(0);
        data.Read(buffer, 0, buffer.Length).ShouldBe(0);
        device.FinishSave();
    }

    [Fact]
    public void The_size_estimate_undercounts_like_the_drivers()
    {
        var device = Device("emulated:bmg,lmem=48KiB,ggtt=16KiB,chunk=16KiB");
        var estimate = device.EstimateSize()!.Value;
        var actual = Save(device).Length;
        // The driver leaves out the descriptor (24+16) and the trailer (24), and counts one header for all 3 VRAM chunks.
        (actual - estimate).ShouldBe(40 + 24 + 2 * 24);
    }

    [Theory]
    [InlineData("emulated:bmg,lmem=48KiB,ggtt=16KiB,chunk=16KiB")]
    [InlineData("emulated:bmg,lmem=40KiB,ggtt=16KiB,chunk=16KiB")]
    [InlineData("emulated:bmg,lmem=0,ggtt=16KiB")]
    [InlineData("emulated:ptl,ggtt=16KiB")]
    public void The_exact_save_length_and_packet_count_are_those_of_a_save(string spec)
    {
        var device = Device(spec);
        var (pf, vf) = (device.Vf.Pf, device.Vf);
        var bytes = Save(device);
        pf.SaveLength(vf).ShouldBe(bytes.LongLength);
        pf.SavePacketCount(vf).ShouldBe(Headers(bytes).Count);
        Should.Throw<ArgumentException>(() => new EmulatedPf(pf.Profile, 1).SaveLength(vf));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(4097UL)]
    [InlineData((512UL << 20) + 4096)]
    public void A_vram_chunk_that_is_not_4_kib_pages_up_to_512_mib_is_refused_everywhere(ulong chunk)
    {
        var profile = TargetSpec.Parse("bmg,ggtt=16KiB,lmem=64KiB").Target;
        Should.Throw<SpecTextException>(() => new EmulatedPf(profile, 1) { VramChunkSize = chunk }).Message.ShouldBe("VramChunkSize: must be a multiple of 4 KiB up to 512 MiB");
        Should.Throw<SpecTextException>(() => DeviceSpec.Open($"emulated:bmg,chunk={chunk}")).Message.ShouldBe("--device chunk: must be a multiple of 4 KiB up to 512 MiB");
        Should.Throw<SpecTextException>(() => new XeStreamKit.Harness.Benchmarking.BenchImage(64 << 10, chunk)).Message.ShouldBe("vramChunk: must be a multiple of 4 KiB up to 512 MiB");
        new EmulatedPf(profile, 1) { VramChunkSize = 4096 }.VramChunkSize.ShouldBe(4096UL);
        EmulatedPf.CheckVramChunk(EmulatedPf.DriverVramChunk, "chunk").ShouldBe(512UL << 20);
    }

    [Fact]
    public void Save_and_restore_follow_the_pf_control_rules()
    {
        var device = Device("emulated:ptl,ggtt=16KiB");
        Should.Throw<DeviceException>(() => device.BeginSave()).ErrnoName.ShouldBe("EPERM");
        device.Pause();
        var data = device.BeginSave();
        Should.Throw<DeviceException>(() => device.BeginSave()).ErrnoName.ShouldBe("EALREADY");
        Should.Throw<DeviceException>(() => device.BeginRestore()).ErrnoName.ShouldBe("EBUSY");
        Should.Throw<DeviceException>(() => device.Resume()).ErrnoName.ShouldBe("EBUSY");
        data.ReadExactly(new byte[10]);
        Should.Throw<DeviceException>(() => device.FinishSave()).Message.ShouldContain("save is still in progress");
        device.Resume();
    }

    [Fact]
    public void Pausing_a_paused_vf_fails_with_estale_as_the_driver_does()
    {
        var device = Device("emulated:ptl,ggtt=16KiB");
        device.Pause();
        Should.Throw<DeviceException>(device.Pause).ErrnoName.ShouldBe("ESTALE");
        // A finished save leaves the VF paused: the next save needs no pause.
        device.BeginSave().CopyTo(Stream.Null);
        device.FinishSave();
        device.BeginSave().CopyTo(Stream.Null);
        device.FinishSave();
        Should.Throw<DeviceException>(device.Pause).ErrnoName.ShouldBe("ESTALE");
        device.Resume();
        device.Pause();
    }

    [Fact]
    public void Restore_accepts_its_own_kind_of_stream_and_rejects_a_foreign_device_with_enodev()
    {
        var bytes = Save(Device("emulated:bmg,lmem=16KiB,ggtt=16KiB"));
        Restore(Device("emulated:bmg,lmem=16KiB,ggtt=16KiB,seed=9"), bytes);

        var foreign = Device("emulated:bmg,devid=0xE211,lmem=16KiB,ggtt=16KiB");
        foreign.Pause();
        var sink = foreign.BeginRestore();
        var e = Should.Throw<DeviceException>(() => sink.Write(bytes));
        (e.ErrnoName, e.Operation).ShouldBe(("ENODEV", "write() of packet #0 (offset 0x0)"));
        e.Message.ShouldContain("descriptor devid 0xE20B != target 0xE211");

        var ptl = Device("emulated:ptl,ggtt=16KiB");
        ptl.Pause();
        Should.Throw<DeviceException>(() => ptl.BeginRestore().Write(bytes)).ErrnoName.ShouldBe("ENODEV");
    }

    [Fact]
    public void Deferred_failures_and_a_missing_trailer_surface_when_leaving_resuming()
    {
        var bytes = Save(Device("emulated:bmg,lmem=16KiB,ggtt=16KiB"));
        var smaller = Device("emulated:bmg,lmem=8KiB,ggtt=16KiB");
        var e = Should.Throw<DeviceException>(() => Restore(smaller, bytes));
        (e.ErrnoName, e.Operation).ShouldBe(("EIO", "RESUMING -> STOP"));

        var noTrailer = Device("emulated:bmg,lmem=16KiB,ggtt=16KiB");
        Should.Throw<DeviceException>(() => Restore(noTrailer, bytes[..^24])).ErrnoName.ShouldBe("ETIMEDOUT");
    }

    [Fact]
    public void A_round_trip_restores_identical_state_with_the_ggtt_re_tagged_under_any_chunking()
    {
        var arb = (from readSeed in Gen.Choose(0, int.MaxValue) from writeSeed in Gen.Choose(0, int.MaxValue)
                   from platform in Gen.Elements("bmg", "ptl") from vf in Gen.Choose(1, 4)
                   select (readSeed, writeSeed, platform, vf)).ToArbitrary();
        Prop.ForAll(arb, x =>
        {
            var lmem = x.platform == "bmg" ? ",lmem=40KiB,chunk=16KiB" : "";
            var source = Device($"emulated:{x.platform},ggtt=16KiB{lmem},seed=11,vf=1");
            var destination = Device($"emulated:{x.platform},ggtt=16KiB{lmem},seed=22,vf={x.vf}");
            destination.Vf.Digest().ShouldNotBe(source.Vf.Digest());
            var readRng = new Random(x.readSeed);
            var writeRng = new Random(x.writeSeed);
            var bytes = Save(source, _ => readRng.Next(1, 5000));
            Restore(destination, bytes, _ => writeRng.Next(1, 5000));
            destination.Vf.Digest().Differences(source.Vf.Digest()).ShouldBeEmpty();
            destination.Vf.GgttPtes.ShouldAllBe(p => new GgttPte(p).VfId == (uint)x.vf);
            destination.Vf.GgttPtes.Select(p => p & ~GgttPte.VfIdMask).ShouldBe(source.Vf.GgttPtes.Select(p => p & ~GgttPte.VfIdMask));
            destination.Vf.MmioRegisters(1).ShouldBe(source.Vf.MmioRegisters(1));
        }).Check(PropertyConfig.Quick(40));
    }

    [Fact]
    public void A_multi_gib_save_and_restore_run_in_constant_memory()
    {
        var source = Device("emulated:bmg,lmem=2GiB,ggtt=64KiB,seed=5");
        var destination = Device("emulated:bmg,lmem=2GiB,ggtt=64KiB,seed=6,vf=2");
        source.Pause();
        destination.Pause();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var data = source.BeginSave();
        var sink = destination.BeginRestore();
        var buffer = new byte[1 << 20];
        long total = 0;
        for (int n; (n = data.Read(buffer)) > 0; total += n) sink.Write(buffer, 0, n);
        source.FinishSave();
        destination.FinishRestore();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        total.ShouldBeGreaterThan(2L << 30);
        // Page digests of 2 GiB are 4 MiB; nothing close to a chunk (512 MiB) is ever held.
        allocated.ShouldBeLessThan(64L << 20);
        destination.Vf.Digest().ShouldBe(source.Vf.Digest());
    }

    [Fact]
    public void The_debugfs_backend_saves_and_restores_the_emulated_pf_through_named_pipes()
    {
        var sourceVf = Device("emulated:bmg,lmem=1MiB,ggtt=16KiB,chunk=256KiB");
        var destinationVf = Device("emulated:bmg,lmem=1MiB,ggtt=16KiB,seed=3,vf=2");
        byte[] saved;
        using (var server = new FifoDebugfsServer(sourceVf))
        {
            saved = Timed.Run(() =>
            {
                using var device = server.Connect();
                device.EstimateSize().ShouldBe(sourceVf.EstimateSize());
                return Save(device);
            }, onTimeout: server.Dispose);
            server.Faults.ShouldBeEmpty();
        }
        using (var server = new FifoDebugfsServer(destinationVf))
        {
            Timed.Run(() =>
            {
                using var device = server.Connect();
                Restore(device, saved, _ => 100_000);
            }, onTimeout: server.Dispose);
            server.Faults.ShouldBeEmpty();
        }
        destinationVf.Vf.Digest().ShouldBe(sourceVf.Vf.Digest());

        var foreign = Device("emulated:bmg,devid=0xE212,lmem=1MiB,ggtt=16KiB");
        using var s3 = new FifoDebugfsServer(foreign);
        var e = Timed.Run(() =>
        {
            using var device = s3.Connect();
            return Should.Throw<DeviceException>(() => Restore(device, saved));
        }, onTimeout: s3.Dispose);
        e.ErrnoName.ShouldBe("ENODEV");
    }

    [Fact]
    public void The_vfio_backend_saves_and_restores_the_emulated_pf_through_the_uapi()
    {
        var sourceVf = Device("emulated:ptl,ggtt=32KiB");
        var destinationVf = Device("emulated:ptl,ggtt=32KiB,seed=8,vf=3");
        var fakeSource = new FakeXeVfioPci(sourceVf) { MaxReadChunk = 4000 };
        var fakeDestination = new FakeXeVfioPci(destinationVf) { MaxWriteChunk = 3000 };
        using var source = VfioMigrationDevice.Create(fakeSource, "vfio:fake-source");
        using var destination = VfioMigrationDevice.Create(fakeDestination, "vfio:fake-destination");
        var bytes = Save(source);
        Restore(destination, bytes);
        destination.Resume();
        destinationVf.Vf.Digest().ShouldBe(sourceVf.Vf.Digest());
        fakeSource.Requests.ShouldContain(r => r.Contains("STOP_COPY"));
        fakeDestination.Requests.ShouldContain(r => r.Contains("RESUMING"));
    }
}
