using XeStreamKit.Devices.Vfio;
using S = XeStreamKit.Devices.Vfio.VfioDeviceState;

namespace XeStreamKit.Tests.Support;

/// <summary>
/// A transcription of <c>vfio_mig_get_next_state()</c> (torvalds/linux drivers/vfio/vfio_main.c):
/// the table of the next step from each state towards each target, and the loop that skips the
/// states a device does not support. The oracle for <see cref="VfioStatePath"/> and the core of
/// the xe-vfio-pci fake. The skip loop stops at ERROR as in the fix "vfio: prevent infinite loop
/// in vfio_mig_get_next_state() on blocked arc" (June 2026); before it, STOP_COPY -> PRE_COPY on
/// a PRE_COPY device spun forever in the kernel (xe has no PRE_COPY).
/// </summary>
public static class KernelMigrationFsm
{
    // vfio_from_fsm_table[cur][new], rows and columns in enum order ERROR, STOP, RUNNING,
    // STOP_COPY, RESUMING, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P.
    private static readonly S[,] Table = BuildTable();

    private static S[,] BuildTable()
    {
        var t = new S[8, 8];
        void Row(S from, S stop, S running, S preCopy, S preCopyP2p, S stopCopy, S resuming, S runningP2p, S error)
        {
            t[(int)from, (int)S.STOP] = stop;
            t[(int)from, (int)S.RUNNING] = running;
            t[(int)from, (int)S.PRE_COPY] = preCopy;
            t[(int)from, (int)S.PRE_COPY_P2P] = preCopyP2p;
            t[(int)from, (int)S.STOP_COPY] = stopCopy;
            t[(int)from, (int)S.RESUMING] = resuming;
            t[(int)from, (int)S.RUNNING_P2P] = runningP2p;
            t[(int)from, (int)S.ERROR] = error;
        }
        //   from            STOP           RUNNING        PRE_COPY        PRE_COPY_P2P    STOP_COPY      RESUMING       RUNNING_P2P    ERROR
        Row(S.STOP,         S.STOP,        S.RUNNING_P2P, S.RUNNING_P2P,  S.RUNNING_P2P,  S.STOP_COPY,   S.RESUMING,    S.RUNNING_P2P, S.ERROR);
        Row(S.RUNNING,      S.RUNNING_P2P, S.RUNNING,     S.PRE_COPY,     S.RUNNING_P2P,  S.RUNNING_P2P, S.RUNNING_P2P, S.RUNNING_P2P, S.ERROR);
        Row(S.PRE_COPY,     S.RUNNING,     S.RUNNING,     S.PRE_COPY,     S.PRE_COPY_P2P, S.PRE_COPY_P2P, S.RUNNING,    S.RUNNING,     S.ERROR);
        Row(S.PRE_COPY_P2P, S.RUNNING_P2P, S.RUNNING_P2P, S.PRE_COPY,     S.PRE_COPY_P2P, S.STOP_COPY,   S.RUNNING_P2P, S.RUNNING_P2P, S.ERROR);
        Row(S.STOP_COPY,    S.STOP,        S.STOP,        S.ERROR,        S.ERROR,        S.STOP_COPY,   S.STOP,        S.STOP,        S.ERROR);
        Row(S.RESUMING,     S.STOP,        S.STOP,        S.STOP,         S.STOP,         S.STOP,        S.RESUMING,    S.STOP,        S.ERROR);
        Row(S.RUNNING_P2P,  S.STOP,        S.RUNNING,     S.RUNNING,      S.PRE_COPY_P2P, S.STOP,        S.STOP,        S.RUNNING_P2P, S.ERROR);
        Row(S.ERROR,        S.ERROR,       S.ERROR,       S.ERROR,        S.ERROR,        S.ERROR,       S.ERROR,       S.ERROR,       S.ERROR);
        return t;
    }

    // state_flags_table; ERROR's entry is ~0U, which no device's flags cover.
    private static VfioMigrationFlags Needs(S state) => state switch
    {
        S.ERROR => (VfioMigrationFlags)uint.MaxValue,
        S.STOP or S.RUNNING or S.STOP_COPY or S.RESUMING => VfioMigrationFlags.STOP_COPY,
        S.RUNNING_P2P => VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.P2P,
        S.PRE_COPY => VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.PRE_COPY,
        S.PRE_COPY_P2P => VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.P2P | VfioMigrationFlags.PRE_COPY,
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    private static bool Supported(VfioMigrationFlags flags, S state) => (flags & Needs(state)) == Needs(state);

    /// <summary>The next step, or null where the kernel returns -EINVAL.</summary>
    public static S? NextState(VfioMigrationFlags flags, S current, S target)
    {
        if ((uint)current > 7 || !Supported(flags, current)) return null;
        if ((uint)target > 7 || !Supported(flags, target)) return null;
        var next = Table[(int)current, (int)target];
        while (next != S.ERROR && !Supported(flags, next))
            next = Table[(int)next, (int)target];
        return next == S.ERROR ? null : next;
    }

    /// <summary>The whole path the kernel walks for one combination request, or null on -EINVAL.</summary>
    public static IReadOnlyList<S>? Path(VfioMigrationFlags flags, S from, S to)
    {
        var path = new List<S> { from };
        var current = from;
        while (current != to)
        {
            if (NextState(flags, current, to) is not { } next) return null;
            path.Add(next);
            current = next;
            if (path.Count > 16) throw new InvalidOperationException("the transcribed table loops");
        }
        return path;
    }
}
