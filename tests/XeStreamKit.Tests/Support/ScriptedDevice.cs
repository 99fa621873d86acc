using XeStreamKit.Devices;
using XeStreamKit.Driver;
using XeStreamKit.IO;

namespace XeStreamKit.Tests.Support;

/// <summary>
/// The PF side of one VF, scripted: the migration API the xe PF driver offers to xe-vfio-pci
/// (xe_sriov_vfio_*) and to debugfs, as an <see cref="IMigrationDevice"/> over plain bytes.
/// Saves stream <see cref="SaveSource"/>; restores land in <see cref="Restored"/>; any step can be
/// made to fail with an errno, mid-stream failures included. The fakes of xe-vfio-pci
/// (<see cref="FakeXeVfioPci"/>) and of the debugfs files (<see cref="FifoDebugfsServer"/>) drive
/// any <see cref="IMigrationDevice"/>; the emulated PF plugs in the same way.
/// </summary>
public sealed class ScriptedDevice : IMigrationDevice
{
    private readonly object _gate = new();
    private readonly List<string> _calls = [];

    public ScriptedDevice(byte[]? saveData = null)
    {
        var data = saveData ?? [];
        SaveSource = () => new MemoryStream(data, writable: false);
    }

    /// <summary>What a save streams (called once per save).</summary>
    public Func<Stream> SaveSource { get; set; }

    /// <summary>Every byte restores wrote, in order.</summary>
    public MemoryStream Restored { get; } = new();

    /// <summary>What <see cref="EstimateSize"/> answers.</summary>
    public long? Size { get; set; } = 4096;

    /// <summary>Steps that fail, by name (<c>Pause</c>, <c>Resume</c>, <c>BeginSave</c>,
    /// <c>FinishSave</c>, <c>BeginRestore</c>, <c>FinishRestore</c>, <c>EstimateSize</c>) → errno.</summary>
    public Dictionary<string, Errno> Failures { get; } = [];

    /// <summary>The save stream fails with this errno after <see cref="SaveFailsAfter"/> bytes.</summary>
    public Errno SaveReadErrno { get; set; } = Errno.EIO;

    /// <summary>Bytes a save delivers before failing; null: never fails.</summary>
    public long? SaveFailsAfter { get; set; }

    /// <summary>The restore stream fails with this errno once it holds <see cref="RestoreFailsAfter"/> bytes.</summary>
    public Errno RestoreWriteErrno { get; set; } = Errno.EINVAL;

    /// <summary>Bytes a restore accepts before failing; null: never fails.</summary>
    public long? RestoreFailsAfter { get; set; }

    /// <summary>The steps called so far, in order.</summary>
    public IReadOnlyList<string> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    public string Description => "scripted PF";

    public long? EstimateSize()
    {
        Step(nameof(EstimateSize));
        return Size;
    }

    public void Pause() => Step(nameof(Pause));

    public void Resume() => Step(nameof(Resume));

    public Stream BeginSave()
    {
        Step(nameof(BeginSave));
        var source = SaveSource();
        return SaveFailsAfter is { } limit ? new FailingReader(source, limit, SaveReadErrno) : source;
    }

    public void FinishSave() => Step(nameof(FinishSave));

    public Stream BeginRestore()
    {
        Step(nameof(BeginRestore));
        return new RestoreSink(this);
    }

    public void FinishRestore() => Step(nameof(FinishRestore));

    public void Dispose() { }

    private void Step(string name)
    {
        lock (_gate) _calls.Add(name);
        if (Failures.TryGetValue(name, out var errno)) throw new DeviceException($"scripted {name}", (int)errno);
    }

    private sealed class FailingReader(Stream inner, long limit, Errno errno) : ForwardReadStream
    {
        private long _delivered;

        public override int Read(Span<byte> buffer)
        {
            if (_delivered >= limit) throw new DeviceException("scripted save read", (int)errno);
            var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, limit - _delivered)]);
            _delivered += n;
            return n;
        }
    }

    private sealed class RestoreSink(ScriptedDevice owner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (owner._gate)
            {
                var room = owner.RestoreFailsAfter is { } limit ? limit - owner.Restored.Length : long.MaxValue;
                owner.Restored.Write(buffer, offset, (int)Math.Min(count, Math.Max(0, room)));
                if (count > room) throw new DeviceException("scripted restore write", (int)owner.RestoreWriteErrno);
            }
        }

        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
