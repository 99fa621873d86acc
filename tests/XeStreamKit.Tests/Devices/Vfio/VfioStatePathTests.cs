using XeStreamKit.Tests.Support;
using XeStreamKit.Devices.Vfio;
using S = XeStreamKit.Devices.Vfio.VfioDeviceState;

namespace XeStreamKit.Tests.Devices.Vfio;

public class VfioStatePathTests
{
    private const VfioMigrationFlags Xe = VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.P2P;

    public static TheoryData<VfioMigrationFlags> FlagSets() =>
    [
        VfioMigrationFlags.STOP_COPY,
        VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.P2P,
        VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.PRE_COPY,
        VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.P2P | VfioMigrationFlags.PRE_COPY,
    ];

    [Theory]
    [MemberData(nameof(FlagSets))]
    public void Bfs_over_the_arcs_walks_the_same_path_as_vfio_mig_get_next_state(VfioMigrationFlags flags)
    {
        foreach (var from in Enum.GetValues<S>())
        foreach (var to in Enum.GetValues<S>())
        {
            var kernel = KernelMigrationFsm.Path(flags, from, to);
            var ours = VfioStatePath.Find(flags, from, to);
            if (kernel is null) ours.ShouldBeNull($"{from} -> {to} with {flags}");
            else ours.ShouldBe(kernel, $"{from} -> {to} with {flags}");
        }
    }

    [Theory]
    [MemberData(nameof(FlagSets))]
    public void Every_step_of_every_path_is_an_arc_the_driver_implements(VfioMigrationFlags flags)
    {
        var arcs = VfioStatePath.Arcs(flags).ToHashSet();
        foreach (var from in Enum.GetValues<S>())
        foreach (var to in Enum.GetValues<S>())
            if (VfioStatePath.Find(flags, from, to) is { } path)
                for (var i = 1; i < path.Count; i++)
                    arcs.ShouldContain((path[i - 1], path[i]), $"{from} -> {to}");
    }

    [Fact]
    public void Xe_save_and_restore_paths_are_the_documented_ones()
    {
        VfioStatePath.Find(Xe, S.RUNNING, S.STOP_COPY).ShouldBe([S.RUNNING, S.RUNNING_P2P, S.STOP, S.STOP_COPY]);
        VfioStatePath.Find(Xe, S.STOP_COPY, S.STOP).ShouldBe([S.STOP_COPY, S.STOP]);
        VfioStatePath.Find(Xe, S.STOP, S.RESUMING).ShouldBe([S.STOP, S.RESUMING]);
        VfioStatePath.Find(Xe, S.RESUMING, S.RUNNING).ShouldBe([S.RESUMING, S.STOP, S.RUNNING_P2P, S.RUNNING]);
        VfioStatePath.Find(VfioMigrationFlags.STOP_COPY, S.RUNNING, S.STOP).ShouldBe([S.RUNNING, S.STOP]);
    }

    [Fact]
    public void Xe_has_exactly_the_arcs_xe_vfio_set_state_handles()
    {
        VfioStatePath.Arcs(Xe).ShouldBe(
        [
            (S.RESUMING, S.STOP), (S.STOP, S.RESUMING), (S.STOP, S.STOP_COPY), (S.STOP_COPY, S.STOP),
            (S.RUNNING, S.RUNNING_P2P), (S.RUNNING_P2P, S.RUNNING), (S.RUNNING_P2P, S.STOP), (S.STOP, S.RUNNING_P2P),
        ], ignoreOrder: true);
    }

    [Theory]
    [InlineData(S.RUNNING, S.PRE_COPY)]
    [InlineData(S.STOP, S.ERROR)]
    [InlineData(S.ERROR, S.RUNNING)]
    [InlineData(S.RUNNING, (S)8)]
    public void Requests_the_kernel_refuses_have_no_path(S from, S to) => VfioStatePath.Find(Xe, from, to).ShouldBeNull();

    [Fact]
    public void Stop_copy_to_pre_copy_is_refused_even_on_a_pre_copy_device()
    {
        // Older kernels spin forever on this request (fixed in June 2026): never ask.
        var all = VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.P2P | VfioMigrationFlags.PRE_COPY;
        VfioStatePath.Find(all, S.STOP_COPY, S.PRE_COPY).ShouldBeNull();
        VfioStatePath.Find(all, S.STOP_COPY, S.PRE_COPY_P2P).ShouldBeNull();
    }
}
