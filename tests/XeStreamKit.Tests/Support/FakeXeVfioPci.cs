using System.Buffers.Binary;
using XeStreamKit.Devices;
using XeStreamKit.Devices.Vfio;
using XeStreamKit.Driver;
using S = XeStreamKit.Devices.Vfio.VfioDeviceState;

namespace XeStreamKit.Tests.Support;

/// <summary>
/// Plays the kernel below VFIO_DEVICE_FEATURE for a VF bound to xe-vfio-pci (docs/driver.md#vfio;
/// drivers/vfio/pci/xe/main.c, drivers/vfio/vfio_main.c), over any PF-side
/// <see cref="IMigrationDevice"/>:
/// <list type="bullet">
/// <item>the feature ioctl's argument checks (argsz, GET/SET/PROBE, <c>vfio_check_feature</c>),
/// decoded from raw bytes at the uAPI offsets, not through the code's structs;</item>
/// <item>a SET is split by <c>vfio_mig_get_next_state</c> (<see cref="KernelMigrationFsm"/>); when
/// that refuses, xe calls <c>xe_sriov_vfio_error</c>, which stops the VF; each step runs
/// <c>xe_vfio_set_state</c>'s arc (pause, resume, save and restore enter/exit on the PF), any
/// other arc WARNs and fails with EINVAL; a failed arc leaves the state unchanged; a data file in
/// the middle of a combination is EINVAL;</item>
/// <item>the data fds: reads fill the buffer unless at EOF, writes take everything, a dropped
/// file answers ENODEV, the wrong direction EBADF.</item>
/// </list>
/// Fault injection (<see cref="Interpose"/>, <see cref="MaxReadChunk"/>, <see cref="MaxWriteChunk"/>)
/// exercises the caller's EINTR and short-count loops.
/// </summary>
internal sealed class FakeXeVfioPci : IVfioDeviceFile
{
    private const int FeatureHeader = 8;
    private readonly IMigrationDevice _pf;
    private readonly Dictionary<int, DataFile> _files = [];
    private readonly List<string> _requests = [];
    private DataFile? _migf;
    private int _nextFd = 100;

    public FakeXeVfioPci(IMigrationDevice pf, VfioMigrationFlags flags = VfioMigrationFlags.STOP_COPY | VfioMigrationFlags.P2P)
    {
        _pf = pf;
        Flags = flags;
    }

    /// <summary>The migration_flags the driver reports.</summary>
    public VfioMigrationFlags Flags { get; }

    /// <summary>False: the PF does not support migration, so xe leaves mig_ops unset (ENOTTY).</summary>
    public bool MigrationSupported { get; set; } = true;

    /// <summary>False: a kernel before MIG_DATA_SIZE (the feature falls to vfio-pci: ENOTTY).</summary>
    public bool HasDataSizeFeature { get; set; } = true;

    /// <summary>mig_state (RUNNING after open).</summary>
    public S State { get; set; } = S.RUNNING;

    /// <summary>Each SET as "current -> requested".</summary>
    public IReadOnlyList<string> Requests => _requests;

    /// <summary>SET requests the core had to split into several arcs.</summary>
    public int MultiStepRequests { get; private set; }

    /// <summary>WARN("Unknown state transition") count.</summary>
    public int Warnings { get; private set; }

    /// <summary>True once xe_sriov_vfio_error stopped the VF.</summary>
    public bool VfStopped { get; private set; }

    /// <summary>Called before each operation ("GET MIGRATION", "GET MIG_DEVICE_STATE",
    /// "SET MIG_DEVICE_STATE", "GET MIG_DATA_SIZE", "read", "write"); an errno fails it untouched.</summary>
    public Func<string, Errno?>? Interpose { get; set; }

    /// <summary>At most this many bytes per read (xe fills the buffer; pipes do not).</summary>
    public int MaxReadChunk { get; set; } = int.MaxValue;

    /// <summary>At most this many bytes per write (xe takes everything).</summary>
    public int MaxWriteChunk { get; set; } = int.MaxValue;

    /// <summary>Data fds the user has not closed.</summary>
    public int OpenDataFds => _files.Count;

    public bool Disposed { get; private set; }

    public int DeviceFeature(Span<byte> arg)
    {
        if (arg.Length < FeatureHeader) return -(int)Errno.EFAULT;
        var argsz = BinaryPrimitives.ReadUInt32LittleEndian(arg);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(arg[4..]);
        if (argsz < FeatureHeader) return -(int)Errno.EINVAL;
        if (argsz > arg.Length) return -(int)Errno.EFAULT;
        const uint get = VfioUapi.VFIO_DEVICE_FEATURE_GET, set = VfioUapi.VFIO_DEVICE_FEATURE_SET, probe = VfioUapi.VFIO_DEVICE_FEATURE_PROBE;
        if ((flags & ~(VfioUapi.VFIO_DEVICE_FEATURE_MASK | get | set | probe)) != 0) return -(int)Errno.EINVAL;
        if ((flags & probe) == 0 && (flags & set) != 0 && (flags & get) != 0) return -(int)Errno.EINVAL;
        var data = arg[FeatureHeader..(int)argsz];
        var feature = flags & VfioUapi.VFIO_DEVICE_FEATURE_MASK;

        switch (feature)
        {
            case VfioUapi.VFIO_DEVICE_FEATURE_MIGRATION:
            {
                if (!MigrationSupported) return -(int)Errno.ENOTTY;
                var r = CheckFeature(flags, data.Length, get, 8);
                if (r != 1) return r;
                if (Interposed("GET MIGRATION") is { } e) return e;
                BinaryPrimitives.WriteUInt64LittleEndian(data, (ulong)Flags);
                return 0;
            }
            case VfioUapi.VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE:
            {
                if (!MigrationSupported) return -(int)Errno.ENOTTY;
                var r = CheckFeature(flags, data.Length, get | set, 8);
                if (r != 1) return r;
                if ((flags & get) != 0)
                {
                    if (Interposed("GET MIG_DEVICE_STATE") is { } e) return e;
                    BinaryPrimitives.WriteUInt32LittleEndian(data, (uint)State);
                    BinaryPrimitives.WriteInt32LittleEndian(data[4..], -1);
                    return 0;
                }
                if (Interposed("SET MIG_DEVICE_STATE") is { } e2) return e2;
                var requested = (S)BinaryPrimitives.ReadUInt32LittleEndian(data);
                var result = SetDeviceState(requested, out var fd);
                BinaryPrimitives.WriteInt32LittleEndian(data[4..], result == 0 ? fd : -1);
                return result;
            }
            case VfioUapi.VFIO_DEVICE_FEATURE_MIG_DATA_SIZE:
            {
                if (!MigrationSupported || !HasDataSizeFeature) return -(int)Errno.ENOTTY;
                var r = CheckFeature(flags, data.Length, get, 8);
                if (r != 1) return r;
                if (Interposed("GET MIG_DATA_SIZE") is { } e) return e;
                long size;
                try
                {
                    size = _pf.EstimateSize() ?? 0;
                }
                catch (DeviceException ex)
                {
                    // xe_sriov_vfio_stop_copy_size returns the error; the driver stores it in an
                    // unsigned long and the ioctl succeeds.
                    size = -ex.Errno;
                }
                BinaryPrimitives.WriteUInt64LittleEndian(data, unchecked((ulong)size));
                return 0;
            }
            default:
                return -(int)Errno.ENOTTY;
        }
    }

    // vfio_check_feature(): 1 = go on, 0 = probe answered, < 0 = error.
    private static int CheckFeature(uint flags, int dataLength, uint supportedOps, int minSize)
    {
        const uint getOrSet = VfioUapi.VFIO_DEVICE_FEATURE_GET | VfioUapi.VFIO_DEVICE_FEATURE_SET;
        if ((flags & getOrSet & ~supportedOps) != 0) return -(int)Errno.EINVAL;
        if ((flags & VfioUapi.VFIO_DEVICE_FEATURE_PROBE) != 0) return 0;
        if ((flags & getOrSet) == 0) return -(int)Errno.EINVAL;
        if (dataLength < minSize) return -(int)Errno.EINVAL;
        return 1;
    }

    // xe_vfio_pci_set_device_state()
    private int SetDeviceState(S requested, out int fd)
    {
        _requests.Add($"{State} -> {requested}");
        fd = -1;
        DataFile? file = null;
        var steps = 0;
        while (requested != State)
        {
            if (KernelMigrationFsm.NextState(Flags, State, requested) is not { } next)
            {
                VfStopped = true; // xe_sriov_vfio_error(): control_stop_vf
                return -(int)Errno.EINVAL;
            }
            steps++;
            var r = SetState(State, next, out file);
            if (r < 0) return r;
            State = next;
            if (file is not null && requested != State)
            {
                _files.Remove(file.Fd);
                return -(int)Errno.EINVAL;
            }
        }
        if (steps > 1) MultiStepRequests++;
        fd = file?.Fd ?? -1;
        return 0;
    }

    // xe_vfio_set_state()
    private int SetState(S current, S next, out DataFile? file)
    {
        file = null;
        var p2p = Flags.HasFlag(VfioMigrationFlags.P2P);
        try
        {
            // xe-vfio-pci reports P2P and has exactly the P2P arcs; RUNNING <-> STOP are here only
            // for the fake's no-P2P mode (a variant driver without P2P must implement them).
            if ((current, next) == (S.RUNNING, S.RUNNING_P2P) || (!p2p && (current, next) == (S.RUNNING, S.STOP)))
            {
                _pf.Pause();
                return 0;
            }
            if ((current, next) is (S.RUNNING_P2P, S.STOP) or (S.STOP, S.RUNNING_P2P)) return 0;
            if ((current, next) == (S.RUNNING_P2P, S.RUNNING) || (!p2p && (current, next) == (S.STOP, S.RUNNING)))
            {
                _pf.Resume();
                return 0;
            }
            if ((current, next) is (S.STOP, S.STOP_COPY) or (S.STOP, S.RESUMING))
            {
                var save = next == S.STOP_COPY;
                var candidate = new DataFile(_nextFd++, save);
                _migf = candidate;
                candidate.Stream = save ? _pf.BeginSave() : _pf.BeginRestore();
                _files.Add(candidate.Fd, candidate);
                file = candidate;
                return 0;
            }
            if ((current, next) is (S.STOP_COPY, S.STOP) or (S.RESUMING, S.STOP))
            {
                if (_migf is not null)
                {
                    _migf.Disabled = true; // xe_vfio_pci_put_file: later read/write -> ENODEV
                    _migf.Stream?.Dispose();
                    _migf = null;
                }
                if (current == S.STOP_COPY) _pf.FinishSave();
                else _pf.FinishRestore();
                return 0;
            }
            Warnings++;
            return -(int)Errno.EINVAL;
        }
        catch (DeviceException e)
        {
            return -e.Errno;
        }
    }

    public int Read(int fd, Span<byte> buffer)
    {
        if (!_files.TryGetValue(fd, out var file) || !file.Save) return -(int)Errno.EBADF;
        if (file.Disabled) return -(int)Errno.ENODEV;
        if (Interposed("read") is { } e) return e;
        if (file.PendingErrno != 0)
        {
            var errno = file.PendingErrno;
            file.PendingErrno = 0;
            return -errno;
        }
        var want = buffer[..Math.Min(buffer.Length, MaxReadChunk)];
        var total = 0;
        try
        {
            while (total < want.Length)
            {
                var n = file.Stream!.Read(want[total..]);
                if (n == 0) break;
                total += n;
            }
        }
        catch (DeviceException ex)
        {
            if (total == 0) return -ex.Errno;
            file.PendingErrno = ex.Errno;
        }
        return total;
    }

    public int Write(int fd, ReadOnlySpan<byte> buffer)
    {
        if (!_files.TryGetValue(fd, out var file) || file.Save) return -(int)Errno.EBADF;
        if (file.Disabled) return -(int)Errno.ENODEV;
        if (Interposed("write") is { } e) return e;
        var n = Math.Min(buffer.Length, MaxWriteChunk);
        try
        {
            file.Stream!.Write(buffer[..n]);
        }
        catch (DeviceException ex)
        {
            return -ex.Errno;
        }
        return n;
    }

    public int Close(int fd) => _files.Remove(fd) ? 0 : -(int)Errno.EBADF;

    /// <summary>Resets taken (VFIO_DEVICE_RESET).</summary>
    public int Resets { get; private set; }

    /// <summary>VFIO_DEVICE_RESET: the data files go away, the VF is reset and RUNNING again.</summary>
    public int DeviceReset()
    {
        _requests.Add("RESET");
        Resets++;
        _files.Clear();
        _migf = null;
        if (_pf is IResettable r) r.Reset();
        State = S.RUNNING;
        VfStopped = false;
        return 0;
    }

    public void Dispose() => Disposed = true;

    private int? Interposed(string operation) => Interpose?.Invoke(operation) is { } errno ? -(int)errno : null;

    private sealed class DataFile(int fd, bool save)
    {
        public int Fd { get; } = fd;
        public bool Save { get; } = save;
        public Stream? Stream { get; set; }
        public bool Disabled { get; set; }
        public int PendingErrno { get; set; }
    }
}
