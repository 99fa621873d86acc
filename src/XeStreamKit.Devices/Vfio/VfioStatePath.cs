namespace XeStreamKit.Devices.Vfio;

/// <summary>
/// The migration state machine as arcs a driver implements, and the shortest arc-by-arc path
/// between two states (a breadth-first search, like libvfio-user's state tests). The arc sets
/// and the path rules are those of the comment on <c>vfio_mig_get_next_state()</c>
/// (drivers/vfio/vfio_main.c) and the uAPI text of <c>enum vfio_device_mig_state</c>:
/// <list type="bullet">
/// <item>STOP_COPY: RESUMING→STOP, STOP→RESUMING, STOP→STOP_COPY, STOP_COPY→STOP;</item>
/// <item>P2P: RUNNING↔RUNNING_P2P, RUNNING_P2P↔STOP; without P2P: RUNNING↔STOP;</item>
/// <item>PRE_COPY: RUNNING→PRE_COPY, PRE_COPY→RUNNING, PRE_COPY→STOP_COPY; with P2P instead
/// PRE_COPY↔PRE_COPY_P2P, PRE_COPY_P2P→RUNNING_P2P, PRE_COPY_P2P→STOP_COPY,
/// RUNNING_P2P→PRE_COPY_P2P (and RUNNING↔PRE_COPY);</item>
/// <item>a path does not pass through a state of the saving group (PRE_COPY, PRE_COPY_P2P,
/// STOP_COPY) unless it starts and ends in that group (one data session); STOP_COPY→PRE_COPY
/// and STOP_COPY→PRE_COPY_P2P are refused; ERROR is never a target and has no arcs out.</item>
/// </list>
/// xe-vfio-pci reports STOP_COPY | P2P, so its save path is RUNNING→RUNNING_P2P→STOP→STOP_COPY.
/// </summary>
public static class VfioStatePath
{
    /// <summary>Whether a device with <paramref name="flags"/> has state <paramref name="state"/>
    /// (the kernel's <c>state_flags_table</c>; ERROR is always there).</summary>
    public static bool IsSupported(VfioMigrationFlags flags, VfioDeviceState state)
    {
        var needed = state switch
        {
            VfioDeviceState.ERROR => VfioMigrationFlags.None,
            VfioDeviceState.STOP or VfioDeviceState.RUNNING or VfioDeviceState.STOP_COPY or VfioDeviceState.RESUMING
                => VfioMigrationFlags.STOP_COPY,
            VfioDeviceState.RUNNING_P2P => VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.P2P,
            VfioDeviceState.PRE_COPY => VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.PRE_COPY,
            VfioDeviceState.PRE_COPY_P2P => VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.P2P | VfioMigrationFlags.PRE_COPY,
            _ => (VfioMigrationFlags)ulong.MaxValue,
        };
        return (flags & needed) == needed;
    }

    /// <summary>States of the saving group, which share one data session.</summary>
    public static bool IsSavingGroup(VfioDeviceState state) =>
        state is VfioDeviceState.PRE_COPY or VfioDeviceState.PRE_COPY_P2P or VfioDeviceState.STOP_COPY;

    /// <summary>The arcs a driver reporting <paramref name="flags"/> implements.</summary>
    public static IReadOnlyList<(VfioDeviceState From, VfioDeviceState To)> Arcs(VfioMigrationFlags flags)
    {
        var arcs = new List<(VfioDeviceState, VfioDeviceState)>();
        if (!flags.HasFlag(VfioMigrationFlags.STOP_COPY)) return arcs;
        var p2p = flags.HasFlag(VfioMigrationFlags.P2P);
        var preCopy = flags.HasFlag(VfioMigrationFlags.PRE_COPY);
        arcs.Add((VfioDeviceState.RESUMING, VfioDeviceState.STOP));
        arcs.Add((VfioDeviceState.STOP, VfioDeviceState.RESUMING));
        arcs.Add((VfioDeviceState.STOP, VfioDeviceState.STOP_COPY));
        arcs.Add((VfioDeviceState.STOP_COPY, VfioDeviceState.STOP));
        if (p2p)
        {
            arcs.Add((VfioDeviceState.RUNNING, VfioDeviceState.RUNNING_P2P));
            arcs.Add((VfioDeviceState.RUNNING_P2P, VfioDeviceState.RUNNING));
            arcs.Add((VfioDeviceState.RUNNING_P2P, VfioDeviceState.STOP));
            arcs.Add((VfioDeviceState.STOP, VfioDeviceState.RUNNING_P2P));
        }
        else
        {
            arcs.Add((VfioDeviceState.RUNNING, VfioDeviceState.STOP));
            arcs.Add((VfioDeviceState.STOP, VfioDeviceState.RUNNING));
        }
        if (preCopy)
        {
            arcs.Add((VfioDeviceState.RUNNING, VfioDeviceState.PRE_COPY));
            arcs.Add((VfioDeviceState.PRE_COPY, VfioDeviceState.RUNNING));
            if (p2p)
            {
                arcs.Add((VfioDeviceState.PRE_COPY, VfioDeviceState.PRE_COPY_P2P));
                arcs.Add((VfioDeviceState.PRE_COPY_P2P, VfioDeviceState.PRE_COPY));
                arcs.Add((VfioDeviceState.PRE_COPY_P2P, VfioDeviceState.RUNNING_P2P));
                arcs.Add((VfioDeviceState.PRE_COPY_P2P, VfioDeviceState.STOP_COPY));
                arcs.Add((VfioDeviceState.RUNNING_P2P, VfioDeviceState.PRE_COPY_P2P));
            }
            else
            {
                arcs.Add((VfioDeviceState.PRE_COPY, VfioDeviceState.STOP_COPY));
            }
        }
        return arcs;
    }

    /// <summary>
    /// The shortest path from <paramref name="from"/> to <paramref name="to"/>, both ends
    /// included, over the arcs of <paramref name="flags"/>: a single element when they are equal
    /// (the kernel does nothing then); null when the kernel would refuse the request (-EINVAL): a
    /// state the device lacks, ERROR at either end, STOP_COPY to a PRE_COPY state, or no path.
    /// </summary>
    public static IReadOnlyList<VfioDeviceState>? Find(VfioMigrationFlags flags, VfioDeviceState from, VfioDeviceState to)
    {
        if (from == to) return [from];
        if (!IsSupported(flags, from) || !IsSupported(flags, to)) return null;
        if (from == VfioDeviceState.ERROR || to == VfioDeviceState.ERROR) return null;
        if (from == VfioDeviceState.STOP_COPY && to is VfioDeviceState.PRE_COPY or VfioDeviceState.PRE_COPY_P2P) return null;

        // Interior states of the saving group are allowed only within one data session.
        var sessionOnly = IsSavingGroup(from) && IsSavingGroup(to);
        var next = new Dictionary<VfioDeviceState, List<VfioDeviceState>>();
        foreach (var (a, b) in Arcs(flags))
        {
            if (!next.TryGetValue(a, out var list)) next[a] = list = [];
            list.Add(b);
        }
        foreach (var list in next.Values) list.Sort();

        var previous = new Dictionary<VfioDeviceState, VfioDeviceState> { [from] = from };
        var queue = new Queue<VfioDeviceState>();
        queue.Enqueue(from);
        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            if (!next.TryGetValue(state, out var targets)) continue;
            foreach (var target in targets)
            {
                if (previous.ContainsKey(target)) continue;
                if (target != to && IsSavingGroup(target) && !sessionOnly) continue;
                previous[target] = state;
                if (target == to) return Unwind(previous, from, to);
                queue.Enqueue(target);
            }
        }
        return null;
    }

    private static List<VfioDeviceState> Unwind(Dictionary<VfioDeviceState, VfioDeviceState> previous, VfioDeviceState from, VfioDeviceState to)
    {
        var path = new List<VfioDeviceState> { to };
        for (var s = to; s != from; s = previous[s]) path.Add(previous[s]);
        path.Reverse();
        return path;
    }
}
