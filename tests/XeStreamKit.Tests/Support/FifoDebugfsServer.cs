using System.Collections.Concurrent;
using System.Text;
using XeStreamKit.Devices;
using XeStreamKit.Devices.Debugfs;
using XeStreamKit.Devices.Posix;
using XeStreamKit.Driver;
using F = XeStreamKit.Devices.Debugfs.DebugfsMigrationDevice.Files;

namespace XeStreamKit.Tests.Support;

/// <summary>
/// A directory shaped like the xe PF debugfs <c>sriov/vfN/</c> whose files are named pipes,
/// served by threads that play the driver over any <see cref="IMigrationDevice"/> (the PF side of
/// the VF: a <see cref="ScriptedDevice"/>, later the emulated PF). <see cref="DebugfsMigrationDevice"/>
/// talks to it with real open/read/write/close, blocking opens and EOF included:
/// <code>
///   pause, resume       client writes "1"      -> behaviour.Pause() / Resume()
///   stop, reset         client writes "1"      -> logged (IMigrationDevice has no such step)
///   save                client writes "1"      -> behaviour.BeginSave(), then a session streams it
///                       client reads to EOF    -> behaviour.FinishSave()
///   migration_data      client reads (save)    <- the save stream, EOF at its end
///                       client writes (restore)-> the restore stream, chunk by chunk
///   restore             client writes "1"      -> behaviour.BeginRestore()
///                       client reads to EOF    -> (after all data) behaviour.FinishRestore()
///   migration_size      client reads           <- behaviour.EstimateSize() + "\n"
/// </code>
/// A pipe cannot fail a read() or write() with a chosen errno, which is how the kernel reports
/// every failure here. So the client gets <see cref="Syscalls"/>: the real system calls, plus the
/// behaviour's errno returned by the call where the kernel would return it (the trigger write,
/// the finish read, the data read at the end of the data, the data write that carried the bad
/// bytes). Writes to <c>migration_data</c> return once the behaviour has taken their bytes, as
/// the kernel's write() does.
/// </summary>
/// <remarks>
/// Threads block in open() until the client opens the other end; <see cref="Dispose"/> unblocks
/// them by opening each pipe O_RDWR|O_NONBLOCK (and draining it). Every wait is bounded by the
/// server's limit; anything unexpected on the server side lands in <see cref="Faults"/>.
/// </remarks>
public sealed class FifoDebugfsServer : IDisposable
{
    private static readonly string[] ControlFiles = [F.Pause, F.Resume, F.Stop, F.Reset];
    private int _resets;
    private static readonly string[] AllFiles = [F.Pause, F.Resume, F.Stop, F.Reset, F.Save, F.Restore, F.MigrationData, F.MigrationSize];

    private readonly IMigrationDevice _behaviour;
    private readonly TimeSpan _limit;
    private readonly ConcurrentDictionary<string, BlockingCollection<int>> _verdicts = new();
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentQueue<Exception> _faults = new();
    private readonly List<Thread> _threads = [];
    private readonly SemaphoreSlim _sizeReaderClosed = new(0);
    private volatile bool _stopping;
    private volatile SaveSession? _save;
    private volatile RestoreSession? _restore;

    public FifoDebugfsServer(IMigrationDevice behaviour, TimeSpan? limit = null)
    {
        _behaviour = behaviour;
        _limit = limit ?? Timed.Limit;
        Directory = Path.Combine(Path.GetTempPath(), "xsk-debugfs-" + Guid.NewGuid().ToString("N"), "vf1");
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var file in AllFiles)
        {
            if (LibC.MkFifo(PathOf(file), Convert.ToUInt32("600", 8)) != 0)
                throw new DeviceException($"mkfifo of {PathOf(file)}", -LibC.LastErrorNegated());
            _verdicts[file] = new BlockingCollection<int>();
        }
        foreach (var file in ControlFiles) Start(file, () => ServeControl(file));
        Start(F.Save, ServeSave);
        Start(F.Restore, ServeRestore);
        Start(F.MigrationSize, ServeSize);
        Syscalls = new ClientSyscalls(this);
    }

    /// <summary>The VF directory (named pipes).</summary>
    public string Directory { get; }

    /// <summary>What the server did, in order (e.g. <c>pause</c>, <c>save</c>,
    /// <c>migration_data: read 1234 bytes</c>, <c>finish save</c>).</summary>
    public IReadOnlyList<string> Events => [.. _events];

    /// <summary>Unexpected server-side failures (none in a passing test).</summary>
    public IReadOnlyList<Exception> Faults => [.. _faults];

    /// <summary>The client's system calls: real ones, plus the behaviour's errno where the kernel
    /// would return it.</summary>
    internal IFileSyscalls Syscalls { get; }

    /// <summary>A debugfs device on this directory, using <see cref="Syscalls"/>.</summary>
    public DebugfsMigrationDevice Connect() => new(Directory, "debugfs:" + Directory, Syscalls);

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline && Threads().Any(t => t.IsAlive))
        {
            foreach (var file in AllFiles) Unblock(file);
            foreach (var t in Threads()) t.Join(10);
        }
        foreach (var t in Threads().Where(t => t.IsAlive))
            _faults.Enqueue(new TimeoutException($"server thread {t.Name} did not stop"));
        try
        {
            System.IO.Directory.Delete(Path.GetDirectoryName(Directory)!, recursive: true);
        }
        catch (IOException)
        {
            // A pipe still held open by a stuck thread: leave the temp directory behind.
        }
    }

    private string PathOf(string file) => Path.Join(Directory, file);

    private Thread[] Threads()
    {
        lock (_threads) return [.. _threads];
    }

    private void Start(string name, Action body)
    {
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e) when (!_stopping)
            {
                _faults.Enqueue(e);
            }
            catch (Exception)
            {
                // Torn down while blocked: expected.
            }
        })
        {
            IsBackground = true,
            Name = "fifo " + name,
        };
        lock (_threads) _threads.Add(thread);
        thread.Start();
    }

    // ---- the driver side -------------------------------------------------------------------

    private void ServeControl(string file)
    {
        while (!_stopping)
        {
            using var pipe = OpenServerEnd(file, FileAccessMode.Read);
            if (pipe is null) return;
            if (ReadCommand(pipe) is not { } command) continue;
            _events.Enqueue(file);
            Verdict(file, command.Errno != 0 || !command.Value ? command.Errno : Run(() =>
            {
                if (file == F.Pause) _behaviour.Pause();
                else if (file == F.Resume) _behaviour.Resume();
                else EndSessions(file);
            }));
            Drain(pipe);
        }
    }

    /// <summary>stop and reset (an FLR) end any save or restore, as the driver's control does:
    /// the behaviour is reset and a session thread waiting for the finish is woken.</summary>
    private void EndSessions(string file)
    {
        Interlocked.Increment(ref _resets);
        if (file == F.Reset && _behaviour is IResettable r) r.Reset();
        foreach (var (ended, trigger) in new[] { (_save?.Ended, F.Save), (_restore?.Ended, F.Restore) })
        {
            if (ended is null) continue;
            var deadline = DateTime.UtcNow + _limit;
            while (!ended.Wait(10) && DateTime.UtcNow < deadline) Unblock(trigger);
        }
    }

    private void ServeSave() => ServeSession(F.Save,
        () => _behaviour.BeginSave() is { } data ? new SaveSession(data) : null,
        session => { _save = session; Start(F.MigrationData, () => StreamSave(session)); },
        _behaviour.FinishSave);

    private void ServeRestore() => ServeSession(F.Restore,
        () => _behaviour.BeginRestore() is { } sink ? new RestoreSession(sink) : null,
        session => { _restore = session; Start(F.MigrationData, () => ReceiveRestore(session)); },
        _behaviour.FinishRestore);

    /// <summary>The <c>save</c> or <c>restore</c> file: a true write starts a data session on
    /// <c>migration_data</c>; the read that follows waits for it to end and answers with the
    /// finish step's errno (unless a reset ended the session first).</summary>
    private void ServeSession<TSession>(string trigger, Func<TSession?> begin, Action<TSession> open, Action finish)
        where TSession : DataSession
    {
        while (!_stopping)
        {
            TSession? session = null;
            using (var pipe = OpenServerEnd(trigger, FileAccessMode.Read))
            {
                if (pipe is null) return;
                if (ReadCommand(pipe) is not { } command) continue;
                _events.Enqueue(trigger);
                var errno = command.Errno != 0 || !command.Value ? command.Errno : Run(() => session = begin());
                if (session is not null)
                {
                    session.ResetsAtStart = Volatile.Read(ref _resets);
                    open(session);
                }
                Verdict(trigger, errno);
                Drain(pipe);
            }
            if (session is null) continue;

            try
            {
                using var pipe = OpenServerEnd(trigger, FileAccessMode.Write);
                if (pipe is null) return;
                UnblockUntil(session.Opened);
                Wait(session.Done, $"the {trigger} data session to end");
                if (Volatile.Read(ref _resets) != session.ResetsAtStart)
                {
                    _events.Enqueue($"{trigger} ended by " + F.Reset);
                    continue;
                }
                _events.Enqueue("finish " + trigger);
                Verdict(trigger, Run(finish));
            }
            finally
            {
                session.Ended.Set();
            }
        }
    }

    private void ServeSize()
    {
        while (!_stopping)
        {
            using var pipe = OpenServerEnd(F.MigrationSize, FileAccessMode.Write);
            if (pipe is null) return;
            _events.Enqueue("migration_size");
            long? size = null;
            var errno = Run(() => size = _behaviour.EstimateSize());
            if (errno == 0 && size is null) errno = (int)Errno.ENODATA;
            if (errno == 0) WriteAll(pipe, Encoding.ASCII.GetBytes($"{size}\n"));
            Verdict(F.MigrationSize, errno);
            pipe.Dispose();
            // Opening the pipe again while the last reader still holds it would hand that reader
            // a second copy instead of EOF: wait until it has closed its end.
            _sizeReaderClosed.Wait(_limit);
        }
    }

    /// <summary>Streams the behaviour's save into migration_data until its end or its error.</summary>
    private void StreamSave(SaveSession session)
    {
        var errno = 0;
        long copied = 0;
        try
        {
            using var pipe = OpenServerEnd(F.MigrationData, FileAccessMode.Write);
            session.Opened.Set();
            if (pipe is null) return;
            var buffer = new byte[64 * 1024];
            while (true)
            {
                int n;
                try
                {
                    n = session.Data.Read(buffer);
                }
                catch (DeviceException e)
                {
                    errno = e.Errno;
                    break;
                }
                if (n == 0) break;
                // EPIPE: the client stopped reading (an aborted save); the rest is dropped, as
                // the driver frees an unread ring when the save ends.
                if (!WriteAll(pipe, buffer.AsSpan(0, n))) break;
                copied += n;
            }
            _events.Enqueue($"migration_data: read {copied} bytes");
            session.Verdict = errno;
        }
        finally
        {
            session.Data.Dispose();
            session.Opened.Set();
            session.Done.Set();
        }
    }

    /// <summary>Feeds what the client writes to migration_data into the behaviour's restore stream.</summary>
    private void ReceiveRestore(RestoreSession session)
    {
        try
        {
            using var pipe = OpenServerEnd(F.MigrationData, FileAccessMode.Read);
            session.Opened.Set();
            if (pipe is null) return;
            var buffer = new byte[64 * 1024];
            long received = 0;
            while (true)
            {
                var n = ReadSome(pipe, buffer);
                if (n == 0) break;
                try
                {
                    session.Sink.Write(buffer, 0, n);
                }
                catch (DeviceException e)
                {
                    session.Fail(e.Errno);
                    break;
                }
                received += n;
                session.Consumed(n);
            }
            _events.Enqueue($"migration_data: wrote {received} bytes");
        }
        finally
        {
            session.Sink.Dispose();
            session.Opened.Set();
            session.End();
        }
    }

    // ---- pipe helpers (server side: exceptions are faults) -----------------------------------

    /// <summary>Opens the server's end; blocks until the client opens the other end. Null when
    /// the server is stopping.</summary>
    private FdStream? OpenServerEnd(string file, FileAccessMode mode)
    {
        var fd = LinuxFileSyscalls.Instance.Open(PathOf(file), mode);
        if (fd < 0) throw new DeviceException($"server open of {file}", -fd);
        var stream = new FdStream(LinuxFileSyscalls.Instance, fd, mode, "server " + file);
        if (!_stopping) return stream;
        stream.Dispose();
        return null;
    }

    /// <summary>kstrtobool on what one write brought: null when the opener wrote nothing (an
    /// unblocking open), else the value, or EINVAL for something that is not a boolean.</summary>
    private static (bool Value, int Errno)? ReadCommand(FdStream pipe)
    {
        var buffer = new byte[16];
        var n = ReadSome(pipe, buffer);
        if (n == 0) return null;
        bool? value = (char)buffer[0] switch
        {
            '1' or 'y' or 'Y' or 't' or 'T' => true,
            '0' or 'n' or 'N' or 'f' or 'F' => false,
            'o' or 'O' when n > 1 && buffer[1] is (byte)'n' or (byte)'N' => true,
            'o' or 'O' when n > 1 && buffer[1] is (byte)'f' or (byte)'F' => false,
            _ => null,
        };
        return value is { } v ? (v, 0) : (false, (int)Errno.EINVAL);
    }

    /// <summary>One read() of whatever is there (a pipe returns what has been written so far).</summary>
    private static int ReadSome(FdStream pipe, byte[] buffer)
    {
        var io = LinuxFileSyscalls.Instance;
        while (true)
        {
            var n = io.Read(pipe.Fd, buffer);
            if (n == -(int)Errno.EINTR) continue;
            if (n < 0) throw new DeviceException("server read", -n);
            return n;
        }
    }

    private static void Drain(FdStream pipe)
    {
        var buffer = new byte[256];
        while (ReadSome(pipe, buffer) > 0) { }
    }

    /// <summary>False when the reader went away (EPIPE).</summary>
    private static bool WriteAll(FdStream pipe, ReadOnlySpan<byte> data)
    {
        try
        {
            pipe.Write(data);
            return true;
        }
        catch (DeviceException e) when (e.Errno == (int)Errno.EPIPE)
        {
            return false;
        }
    }

    /// <summary>Wakes whoever is blocked in open() on <paramref name="file"/> (O_RDWR on a FIFO
    /// never blocks and counts as both ends), and drains what nobody will read.</summary>
    private void Unblock(string file)
    {
        var fd = LibC.Open(PathOf(file), LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0) return;
        var buffer = new byte[64 * 1024];
        if (_stopping)
            while (LinuxFileSyscalls.Instance.Read(fd, buffer) > 0) { }
        LibC.Close(fd);
    }

    /// <summary>A data session the client never opened (an empty or abandoned transfer) is
    /// still blocked in open(): wake it until it is not.</summary>
    private void UnblockUntil(ManualResetEventSlim opened)
    {
        var deadline = DateTime.UtcNow + _limit;
        while (!opened.Wait(10))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("server: the data session never opened migration_data");
            Unblock(F.MigrationData);
        }
    }

    private static int Run(Action step)
    {
        try
        {
            step();
            return 0;
        }
        catch (DeviceException e)
        {
            return e.Errno;
        }
    }

    private void Verdict(string file, int errno) => _verdicts[file].Add(errno);

    private void Wait(ManualResetEventSlim signal, string what)
    {
        if (!signal.Wait(_limit)) throw new TimeoutException($"server: waited {_limit.TotalSeconds:0} s for {what}");
    }

    /// <summary>One save or restore: started by the trigger file, carried by migration_data.</summary>
    private abstract class DataSession
    {
        public int ResetsAtStart { get; set; }
        public ManualResetEventSlim Ended { get; } = new();
        public ManualResetEventSlim Opened { get; } = new();
        public ManualResetEventSlim Done { get; } = new();
    }

    private sealed class SaveSession(Stream data) : DataSession
    {
        public Stream Data { get; } = data;
        public int Verdict { get; set; }
    }

    private sealed class RestoreSession(Stream sink) : DataSession
    {
        private readonly object _gate = new();
        private long _consumed;
        private int _errno;
        private bool _ended;

        public Stream Sink { get; } = sink;

        public void Consumed(long n)
        {
            lock (_gate)
            {
                _consumed += n;
                Monitor.PulseAll(_gate);
            }
        }

        public void Fail(int errno)
        {
            lock (_gate)
            {
                _errno = errno;
                Monitor.PulseAll(_gate);
            }
        }

        public void End()
        {
            lock (_gate)
            {
                _ended = true;
                Monitor.PulseAll(_gate);
            }
            Done.Set();
        }

        /// <summary>Waits until the behaviour took <paramref name="written"/> bytes: 0, the
        /// behaviour's errno, or null on timeout.</summary>
        public int? WaitTaken(long written, TimeSpan limit)
        {
            var deadline = DateTime.UtcNow + limit;
            lock (_gate)
            {
                while (_errno == 0 && _consumed < written && !_ended)
                {
                    var left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left)) return null;
                }
                return _errno != 0 ? _errno : _consumed >= written ? 0 : (int)Errno.EPIPE;
            }
        }
    }

    // ---- the client side -------------------------------------------------------------------

    /// <summary>Real system calls; the errno the driver would return is put where it belongs.</summary>
    private sealed class ClientSyscalls(FifoDebugfsServer server) : IFileSyscalls
    {
        private readonly ConcurrentDictionary<int, OpenFile> _open = new();
        private static LinuxFileSyscalls Real => LinuxFileSyscalls.Instance;

        public int Open(string path, FileAccessMode mode)
        {
            var fd = Real.Open(path, mode);
            if (fd >= 0)
            {
                var name = Path.GetFileName(path);
                _open[fd] = new OpenFile(name, name == F.MigrationData && mode == FileAccessMode.Read ? server._save : null,
                    name == F.MigrationData && mode == FileAccessMode.Write ? server._restore : null);
            }
            return fd;
        }

        public int Read(int fd, Span<byte> buffer)
        {
            var n = Real.Read(fd, buffer);
            if (n != 0 || !_open.TryGetValue(fd, out var file)) return n;
            // End of file: where the kernel would have returned the step's error instead.
            if (file.Verdict is { } decided) return decided == 0 ? 0 : -decided;
            int verdict;
            if (file.Save is { } save)
            {
                if (!save.Done.Wait(server._limit)) return Timeout("the end of the save data");
                verdict = save.Verdict;
            }
            else if (file.Name is F.Save or F.Restore or F.MigrationSize)
            {
                if (!server._verdicts[file.Name].TryTake(out verdict, server._limit)) return Timeout($"the verdict on {file.Name}");
            }
            else
            {
                verdict = 0;
            }
            file.Verdict = verdict;
            return verdict == 0 ? 0 : -verdict;
        }

        public int Write(int fd, ReadOnlySpan<byte> buffer)
        {
            var n = Real.Write(fd, buffer);
            if (!_open.TryGetValue(fd, out var file)) return n;
            if (file.Restore is { } restore)
            {
                if (n > 0) file.Written += n;
                var verdict = restore.WaitTaken(file.Written, server._limit);
                if (verdict is null) return Timeout("the restore data to be taken");
                return verdict == 0 ? n : -verdict.Value;
            }
            if (file.Name is F.MigrationData || n < 0) return n;
            // A trigger: the kernel's write() returns the action's error.
            if (!server._verdicts[file.Name].TryTake(out var errno, server._limit)) return Timeout($"the verdict on {file.Name}");
            return errno == 0 ? n : -errno;
        }

        public int Close(int fd)
        {
            _open.TryRemove(fd, out var file);
            var r = Real.Close(fd);
            if (file?.Name == F.MigrationSize) server._sizeReaderClosed.Release();
            return r;
        }

        private int Timeout(string what)
        {
            server._faults.Enqueue(new TimeoutException($"client: waited {server._limit.TotalSeconds:0} s for {what}"));
            return -(int)Errno.ETIMEDOUT;
        }

        private sealed class OpenFile(string name, SaveSession? save, RestoreSession? restore)
        {
            public string Name { get; } = name;
            public SaveSession? Save { get; } = save;
            public RestoreSession? Restore { get; } = restore;
            public long Written { get; set; }
            public int? Verdict { get; set; }
        }
    }
}
