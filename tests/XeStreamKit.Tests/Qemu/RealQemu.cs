using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XeStreamKit.Tests.Qemu;

/// <summary>
/// One way of saving a VM with real QEMU: a paused (-S), TCG, guest-less machine of 16 MiB,
/// driven over QMP on stdio, saved with <c>migrate "exec:cat > FILE"</c> (or, for multifd, over
/// a unix socket whose main channel is kept).
/// </summary>
/// <param name="Name">Test name and file name.</param>
/// <param name="Machine">The -machine value.</param>
/// <param name="Smp">vCPUs.</param>
/// <param name="Footers">Whether the stream has section footers (what the machine type and
/// -global migration.send-section-footer give).</param>
public sealed record QemuRun(string Name, string Machine, int Smp, bool Footers)
{
    /// <summary>More QEMU options (devices, -global).</summary>
    public string[] Args { get; init; } = [];
    /// <summary>Migration capabilities to turn on.</summary>
    public string[] Capabilities { get; init; } = [];
    /// <summary>A 2 MiB raw disk of random bytes: "blockdev" (a named node, for dirty bitmaps) or "drive".</summary>
    public string? Disk { get; init; }
    /// <summary>Add the dirty bitmap bm0 to the disk's node before migrating.</summary>
    public bool DirtyBitmap { get; init; }
    /// <summary>Migrate over a unix socket and keep the main channel (multifd needs a socket).</summary>
    public bool Socket { get; init; }
    /// <summary>postcopy-ram armed: QEMU waits for the return path forever, so the file is taken once complete.</summary>
    public bool PostcopyArmed => Capabilities.Contains("postcopy-ram");
    /// <summary>QEMU writes its JSON vmstate description (not for old machine types or suppress-vmdesc).</summary>
    public bool VmDescription { get; init; } = true;
    /// <summary>A run with the same sections that does have a description, as the oracle for this one.</summary>
    public string? Twin { get; init; }
    /// <summary>-uuid, for validate-uuid.</summary>
    public string? Uuid { get; init; }

    public override string ToString() => Name;
}

/// <summary>What a run produced: the file and QEMU's own final <c>query-migrate</c> answer.</summary>
public sealed record QemuSaved(QemuRun Run, string Path, JsonNode? QueryMigrate);

/// <summary>
/// Generates the matrix of real QEMU migration files once per test run, in parallel, into a
/// temporary directory deleted after the tests of <see cref="RealQemuCollection"/>.
/// </summary>
public static class RealQemu
{
    public const string Binary = "qemu-system-x86_64";

    /// <summary>Why the real-QEMU tests cannot run here, or null.</summary>
    public static readonly string? SkipReason = FindBinary() is null
        ? $"{Binary} is not installed (Debian: apt-get install qemu-system-x86 qemu-utils; .ci/run installs them)"
        : null;

    private const string Footerless = "migration.send-section-footer=off";

    public static readonly QemuRun[] Matrix =
    [
        new("pc", "pc", 1, Footers: true),
        new("pc-nofooter-smp2", "pc", 2, Footers: false) { Args = ["-global", Footerless] },
        new("q35-smp2", "q35", 2, Footers: true),
        new("q35-smp8-devices", "q35", 8, Footers: true) { Args = Devices },
        new("q35-smp8-devices-nofooter", "q35", 8, Footers: false) { Args = [.. Devices, "-global", Footerless] },
        // Old machine types: no footers, no configuration, and suppress-vmdesc (no JSON description).
        new("pc-i440fx-2.2-smp2", "pc-i440fx-2.2", 2, Footers: false) { VmDescription = false, Twin = "pc-i440fx-2.2-smp2-vmdesc" },
        new("pc-i440fx-2.2-smp2-vmdesc", "pc-i440fx-2.2,suppress-vmdesc=off", 2, Footers: false),
        new("pc-suppress-vmdesc", "pc,suppress-vmdesc=on", 1, Footers: true) { VmDescription = false, Twin = "pc" },
        new("xbzrle", "pc", 1, Footers: true) { Capabilities = ["xbzrle"] },
        new("compress", "pc", 2, Footers: true) { Capabilities = ["compress"] },
        new("block", "pc", 1, Footers: true) { Capabilities = ["block"], Disk = "drive" },
        new("block-nofooter", "pc", 2, Footers: false) { Capabilities = ["block"], Disk = "drive", Args = ["-global", Footerless] },
        new("dirty-bitmaps", "pc", 1, Footers: true) { Capabilities = ["dirty-bitmaps"], Disk = "blockdev", DirtyBitmap = true },
        new("dirty-bitmaps-nofooter", "q35", 2, Footers: false) { Capabilities = ["dirty-bitmaps"], Disk = "blockdev", DirtyBitmap = true, Args = ["-global", Footerless] },
        new("multifd", "pc", 2, Footers: true) { Capabilities = ["multifd"], Socket = true },
        new("postcopy-armed", "pc", 2, Footers: true) { Capabilities = ["postcopy-ram"] },
        new("ignore-shared", "pc,memory-backend=mem", 1, Footers: true)
        {
            Capabilities = ["x-ignore-shared"], Args = ["-object", "memory-backend-memfd,id=mem,size=16M,share=on"],
        },
        new("validate-uuid", "q35", 1, Footers: true) { Capabilities = ["validate-uuid"], Uuid = "6a1e3e5c-0d3b-4f5e-9f43-1c2d3e4f5a6b" },
    ];

    private static string[] Devices =>
    [
        "-device", "e1000", "-device", "virtio-rng-pci", "-device", "qemu-xhci", "-device", "usb-tablet",
        "-device", "virtio-balloon-pci", "-device", "virtio-serial-pci", "-device", "i6300esb",
    ];

    public static IEnumerable<object[]> Names => Matrix.Select(r => new object[] { r.Name });

    private static readonly Lazy<Task<IReadOnlyDictionary<string, Task<QemuSaved>>>> All = new(GenerateAll);

    private static string? _directory;

    /// <summary>Deletes the generated files (once the tests that use them are done).</summary>
    public static void DeleteFiles()
    {
        if (_directory is not { } dir || !All.IsValueCreated) return;
        try
        {
            All.Value.Wait();
        }
        catch (AggregateException)
        {
        }
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>How long generating the whole matrix took.</summary>
    public static TimeSpan GenerationTime { get; private set; }

    /// <summary>The saved file of run <paramref name="name"/> (the whole matrix is generated on
    /// first use); a run that failed fails only the tests that use it.</summary>
    public static QemuSaved Get(string name) => All.Value.GetAwaiter().GetResult()[name].GetAwaiter().GetResult();

    private static async Task<IReadOnlyDictionary<string, Task<QemuSaved>>> GenerateAll()
    {
        var dir = _directory = Directory.CreateTempSubdirectory("xsk-real-qemu-").FullName;
        var clock = Stopwatch.StartNew();
        var gate = new SemaphoreSlim(4);
        var runs = Matrix.ToDictionary(r => r.Name, async run =>
        {
            await gate.WaitAsync();
            try
            {
                return await Task.Run(() => Save(run, dir));
            }
            finally
            {
                gate.Release();
            }
        });
        try
        {
            await Task.WhenAll(runs.Values);
        }
        catch (Exception)
        {
            // Reported by the tests of the run that failed.
        }
        GenerationTime = clock.Elapsed;
        return runs;
    }

    private static QemuSaved Save(QemuRun run, string dir)
    {
        var path = Path.Combine(dir, run.Name + ".bin");
        var args = new List<string>
        {
            "-accel", "tcg", "-machine", run.Machine, "-m", "16", "-smp", run.Smp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-nodefaults", "-no-user-config", "-display", "none", "-S", "-qmp", "stdio",
        };
        args.AddRange(run.Args);
        if (run.Uuid is { } uuid) args.AddRange(["-uuid", uuid]);
        if (run.Disk is { } kind)
        {
            var disk = Path.Combine(dir, run.Name + ".img");
            MakeDisk(disk);
            if (kind == "blockdev") args.AddRange(["-blockdev", $"driver=file,filename={disk},node-name=disk0", "-device", "virtio-blk-pci,drive=disk0"]);
            else args.AddRange(["-drive", $"file={disk},format=raw,if=none,id=disk0", "-device", "virtio-blk-pci,drive=disk0"]);
        }

        using var sink = run.Socket ? new MainChannelSink(Path.Combine(dir, run.Name + ".sock"), path) : null;
        var psi = new ProcessStartInfo(FindBinary()!)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var qemu = Process.Start(psi)!;
        var stderr = qemu.StandardError.ReadToEndAsync();
        try
        {
            var qmp = new Qmp(qemu);
            qmp.Execute("qmp_capabilities");
            if (run.DirtyBitmap) qmp.Execute("block-dirty-bitmap-add", new JsonObject { ["node"] = "disk0", ["name"] = "bm0" });
            if (run.Capabilities.Length > 0)
            {
                var caps = new JsonArray();
                foreach (var c in run.Capabilities) caps.Add(new JsonObject { ["capability"] = c, ["state"] = true });
                qmp.Execute("migrate-set-capabilities", new JsonObject { ["capabilities"] = caps });
            }
            var uri = sink is not null ? "unix:" + sink.SocketPath : $"exec:cat > '{path}'";
            qmp.Execute("migrate", new JsonObject { ["uri"] = uri });
            var deadline = Stopwatch.StartNew();
            JsonNode? status;
            long lastLength = -1;
            var stable = 0;
            while (true)
            {
                status = qmp.Execute("query-migrate");
                var state = status?["status"]?.GetValue<string>();
                if (state == "completed") break;
                if (state is "failed" or "cancelled") throw new InvalidOperationException($"QEMU run {run.Name}: migration {state}: {status?.ToJsonString()}");
                if (run.PostcopyArmed)
                {
                    // The source waits for a destination's return path; the file is complete once
                    // its JSON description (the last thing QEMU writes) is there and it stops growing.
                    var length = File.Exists(path) ? new FileInfo(path).Length : 0;
                    stable = length > 0 && length == lastLength && EndsWithBrace(path) ? stable + 1 : 0;
                    lastLength = length;
                    if (stable >= 3) break;
                }
                if (deadline.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"QEMU run {run.Name}: migration did not complete: {status?.ToJsonString()}");
                Thread.Sleep(50);
            }
            try
            {
                qmp.Send("quit");
            }
            catch (IOException)
            {
            }
            if (!qemu.WaitForExit(5000)) qemu.Kill(entireProcessTree: true);
            qemu.WaitForExit();
            sink?.WaitForMainChannel(TimeSpan.FromSeconds(10));
            if (!File.Exists(path) || new FileInfo(path).Length == 0) throw new InvalidOperationException($"QEMU run {run.Name} wrote no file");
            return new QemuSaved(run, path, status);
        }
        catch (Exception e) when (e is not InvalidOperationException and not TimeoutException)
        {
            if (!qemu.HasExited) qemu.Kill(entireProcessTree: true);
            qemu.WaitForExit();
            throw new InvalidOperationException($"QEMU run {run.Name} failed: {e.Message}; stderr: {stderr.Result}", e);
        }
        finally
        {
            if (!qemu.HasExited)
            {
                qemu.Kill(entireProcessTree: true);
                qemu.WaitForExit();
            }
        }
    }

    private static bool EndsWithBrace(string path)
    {
        using var f = File.OpenRead(path);
        if (f.Length == 0) return false;
        f.Seek(-1, SeekOrigin.End);
        return f.ReadByte() == '}';
    }

    /// <summary>A raw disk: qemu-img creates it, then random bytes fill it (so disk data can look like anything).</summary>
    private static void MakeDisk(string path)
    {
        const int Size = 2 << 20;
        var img = FindBinary("qemu-img");
        if (img is not null)
        {
            using var p = Process.Start(new ProcessStartInfo(img, ["create", "-q", "-f", "raw", path, "2M"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            p.WaitForExit();
        }
        var bytes = new byte[Size];
        new Random(20261204).NextBytes(bytes);
        using var f = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write);
        f.Write(bytes);
    }

    private static string? FindBinary(string name = Binary)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>QMP over the process's stdio: one command a line, answers skipping events.</summary>
    private sealed class Qmp
    {
        private readonly Process _p;

        public Qmp(Process p)
        {
            _p = p;
            var greeting = p.StandardOutput.ReadLine() ?? throw new IOException("QEMU closed QMP before its greeting");
            if (!greeting.Contains("\"QMP\"", StringComparison.Ordinal)) throw new IOException("not a QMP greeting: " + greeting);
        }

        public void Send(string command, JsonObject? arguments = null)
        {
            var o = new JsonObject { ["execute"] = command };
            if (arguments is not null) o["arguments"] = arguments;
            _p.StandardInput.WriteLine(o.ToJsonString());
            _p.StandardInput.Flush();
        }

        public JsonNode? Execute(string command, JsonObject? arguments = null)
        {
            Send(command, arguments);
            while (true)
            {
                var line = _p.StandardOutput.ReadLine() ?? throw new IOException($"QEMU closed QMP during {command}");
                var node = JsonNode.Parse(line);
                if (node?["error"] is { } error) throw new InvalidOperationException($"QMP {command}: {error.ToJsonString()}");
                if (node?["return"] is { } result) return result;
                if (node is JsonObject obj && obj.ContainsKey("return")) return null;
            }
        }
    }

    /// <summary>A unix socket that accepts every migration channel, keeps the one that starts
    /// with "QEVM" (the main channel) and discards the multifd channels.</summary>
    private sealed class MainChannelSink : IDisposable
    {
        private readonly Socket _listener;
        private readonly string _output;
        private readonly TaskCompletionSource _main = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public MainChannelSink(string socketPath, string output)
        {
            SocketPath = socketPath;
            _output = output;
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            _listener.Listen(16);
            _ = AcceptAll();
        }

        public string SocketPath { get; }

        public void WaitForMainChannel(TimeSpan timeout)
        {
            if (!_main.Task.Wait(timeout)) throw new TimeoutException("the main migration channel did not close");
        }

        private async Task AcceptAll()
        {
            try
            {
                while (true)
                {
                    var s = await _listener.AcceptAsync();
                    _ = Drain(s);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task Drain(Socket s)
        {
            using var socket = s;
            await using var net = new NetworkStream(socket, ownsSocket: false);
            var head = new byte[4];
            var n = 0;
            while (n < 4)
            {
                var r = await net.ReadAsync(head.AsMemory(n));
                if (r == 0) return;
                n += r;
            }
            if (Encoding.ASCII.GetString(head) != "QEVM")
            {
                await net.CopyToAsync(Stream.Null);
                return;
            }
            await using (var file = File.Create(_output))
            {
                await file.WriteAsync(head);
                await net.CopyToAsync(file);
            }
            _main.TrySetResult();
        }

        public void Dispose() => _listener.Dispose();
    }
}

/// <summary>Shared by the classes that use the matrix: deletes its files when they are done.</summary>
public sealed class RealQemuFiles : IDisposable
{
    public void Dispose() => RealQemu.DeleteFiles();
}

[CollectionDefinition(Name)]
public sealed class RealQemuCollection : ICollectionFixture<RealQemuFiles>
{
    public const string Name = "real QEMU files";
}

/// <summary>A [Theory] that needs real QEMU; skipped with the reason when it is not installed.</summary>
public sealed class RealQemuTheoryAttribute : TheoryAttribute
{
    public RealQemuTheoryAttribute()
    {
        if (RealQemu.SkipReason is { } reason) Skip = reason;
    }
}

/// <summary>A [Fact] that needs real QEMU; skipped with the reason when it is not installed.</summary>
public sealed class RealQemuFactAttribute : FactAttribute
{
    public RealQemuFactAttribute()
    {
        if (RealQemu.SkipReason is { } reason) Skip = reason;
    }
}
