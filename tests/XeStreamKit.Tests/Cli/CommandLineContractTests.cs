using System.Collections.Concurrent;
using System.Text.Json;
using XeStreamKit.Cli.Plumbing;
using XeStreamKit.Tests.Qemu;
using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Cli;

/// <summary>
/// The command line as a contract, on the real process: every verb, given bad input, ends in
/// bounded time and memory with one <c>xsk: ...</c> line on stderr, no stack trace and its
/// documented exit code; with <c>--json</c>, stdout is one JSON document with the error.
/// </summary>
public sealed class CommandLineContractTests : IClassFixture<CommandLineContractTests.Files>
{
    /// <summary>The inputs the cases use, made once.</summary>
    public sealed class Files : IDisposable
    {
        private readonly TempDir _dir = new("xsk-contract-");

        public Files()
        {
            var save = CliHarness.Run(null, "save", "--device", "emulated:bmg,lmem=64KiB,ggtt=16KiB", "-o", Path.Combine(Dir, "a.bin"));
            save.ExitCode.ShouldBe(0, save.StdErr);
            var big = CliHarness.Run(null, "save", "--device", "emulated:bmg,lmem=4MiB,ggtt=16KiB,chunk=64KiB", "-o", "-");
            big.ExitCode.ShouldBe(0, big.StdErr);
            _dir.File("vm.mig", QemuImages.Build(new QemuImageSpec { Devices = [new VfioDeviceSpec("0000:00:02.0/vfio", big.StdOutBytes, BlockSize: 64 * 1024)] }));
            _dir.File("novfio.mig", QemuImages.Build(new QemuImageSpec()));
            CliHarness.Run(null, "corpus", "generate", Path.Combine(Dir, "corpus")).ExitCode.ShouldBe(0);
            Damage("hash", d => File.WriteAllBytes(Path.Combine(d, "y_minimal.bin"), File.ReadAllBytes(Path.Combine(d, "y_minimal.bin")).Select(b => (byte)~b).ToArray()));
            Damage("missing", d => File.Delete(Path.Combine(d, "y_minimal.bin")));
            Damage("truncated", d => File.WriteAllText(Path.Combine(d, "manifest.json"), File.ReadAllText(Path.Combine(d, "manifest.json"))[..100]));
            Damage("null", d => File.WriteAllText(Path.Combine(d, "manifest.json"), "{\"vectors\": null}"));
            Damage("outside", d => File.WriteAllText(Path.Combine(d, "manifest.json"), File.ReadAllText(Path.Combine(d, "manifest.json")).Replace("\"name\": \"y_minimal\"", "\"name\": \"../y_minimal\"", StringComparison.Ordinal)));
            Directory.CreateDirectory(Path.Combine(Dir, "folder"));
            File.CreateSymbolicLink(Path.Combine(Dir, "loop1"), "loop2");
            File.CreateSymbolicLink(Path.Combine(Dir, "loop2"), "loop1");
        }

        public string Dir => _dir.Path;

        private void Damage(string name, Action<string> how)
        {
            var to = Path.Combine(Dir, "corpus-" + name);
            Directory.CreateDirectory(to);
            foreach (var f in Directory.GetFiles(Path.Combine(Dir, "corpus"))) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
            how(to);
        }

        public void Dispose() => _dir.Dispose();
    }

    private readonly Files _files;

    public CommandLineContractTests(Files files) => _files = files;

    /// <summary>(command line: $XSK is xsk, $D the folder of <see cref="Files"/>; exit code; text
    /// the one stderr line contains; true when it needs the real process: closed, full or broken
    /// standard streams, endless inputs whose memory the heap cap bounds).</summary>
    public static readonly (string Line, int Code, string Says, bool Process)[] BadInputs =
    [
        // Empty paths, anywhere.
        ("$XSK inspect ''", 1, "empty path", false),
        ("$XSK validate ''", 1, "empty path", false),
        ("$XSK compat '' --target bmg", 1, "empty path", false),
        ("$XSK restore '' --device emulated:bmg", 1, "empty path", false),
        ("$XSK save --device emulated:bmg -o ''", 1, "-o: an empty path", false),
        ("$XSK demo --output ''", 1, "--output: an empty path", false),
        ("$XSK conformance run --impl validator --junit ''", 1, "--junit: an empty path", false),
        ("$XSK corpus generate ''", 1, "empty path", false),
        ("$XSK qemu sections ''", 1, "empty path", false),
        ("$XSK qemu extract '' -o $D/x.bin", 1, "empty path", false),
        ("$XSK qemu extract $D/vm.mig -o ''", 1, "-o: an empty path", false),
        ("$XSK qemu inject $D/vm.mig --qemu-device 0000:00:02.0/vfio --stream '' -o $D/x.mig", 1, "empty path", false),
        ("$XSK conformance fuzz --iterations 1 --output ''", 1, "empty path", false),
        ("$XSK bench --temp-dir ''", 1, "--temp-dir", false),
        // Targets and device specs.
        ("$XSK compat $D/a.bin --target @", 1, "@ needs a file name", false),
        ("$XSK save --device emulated:@ -o $D/x.bin", 1, "@ needs a file name", false),
        ("$XSK compat $D/a.bin --target @/dev/zero", 1, "larger than 64 KiB", false),
        ("$XSK save --device emulated:@/dev/zero -o $D/x.bin", 1, "larger than 64 KiB", false),
        ("$XSK save --device emulated:bmg,lmem=8TiB -o $D/x.bin", 1, "more than an emulated device holds", false),
        ("$XSK demo --lmem 1e99", 1, "--lmem: '1e99' is not a size", false),
        ("$XSK save --device floppy:a -o $D/x.bin", 1, "--device", false),
        ("$XSK conformance throughput --device emulated:bmg --chunk 5000", 1, "--chunk", false),
        ("$XSK bench --lmem 0", 1, "--lmem", false),
        ("$XSK conformance throughput --device emulated:bmg --temp-dir $D/nofolder", 1, "--temp-dir", false),
        ("$XSK compat $D/a.bin --target bmg,vf=x", 1, "--target vf: 'x' is not a VF number (1, 2, ...)", false),
        ("$XSK compat $D/a.bin --target bmg --vf x", 1, "--vf: 'x' is not a whole number (see: xsk compat --help)", false),
        ("$XSK conformance fuzz --seconds soon", 1, "--seconds: 'soon' is not a number", false),
        // Conformance.
        ("$XSK conformance run --impl validator --filter nomatch", 1, "--filter nomatch: no vector", false),
        ("$XSK conformance run --impl validator --impl model --matrix --filter nomatch", 1, "--filter nomatch: no vector", false),
        ("$XSK conformance fuzz --seconds 1e15", 1, "--seconds", false),
        ("$XSK conformance fuzz --seconds NaN", 1, "--seconds", false),
        ("$XSK conformance run --impl validator --corpus $D/corpus-hash", 4, "SHA-256 does not match", false),
        ("$XSK conformance run --impl validator --corpus $D/corpus-missing", 4, "y_minimal.bin is missing", false),
        ("$XSK conformance run --impl validator --corpus $D/corpus-truncated", 4, "not a corpus manifest", false),
        ("$XSK conformance run --impl validator --corpus $D/corpus-null", 4, "not a corpus manifest", false),
        ("$XSK conformance run --impl validator --corpus $D/corpus-outside", 4, "not a plain file name", false),
        ("$XSK conformance run --impl validator --corpus $D/folder", 4, "no manifest.json", false),
        ("$XSK conformance fuzz --iterations 1 --corpus $D/corpus-hash", 4, "SHA-256 does not match", false),
        ("$XSK conformance run --impl exec:/nonexistent/parser --filter n_desc", 4, "exit 127", false),
        ("$XSK conformance run --impl exec:$D/a.bin --filter n_desc", 4, "exit 126", false),
        // Outputs.
        ("$XSK demo --output -", 1, "--output -: this output must be a file", false),
        ("$XSK save --device emulated:bmg,lmem=64KiB -o $D/folder", 1, "is a directory", false),
        ("$XSK save --device emulated:bmg,lmem=64KiB -o $D/loop1", 4, "ELOOP", false),
        ("$XSK save --device emulated:bmg,lmem=64KiB -o $D/nofolder/x.bin", 4, "does not exist", false),
        ("$XSK qemu inject $D/vm.mig --qemu-device 0000:00:02.0/vfio --stream $D/a.bin -o -", 1, "-o -: this output must be a file", false),
        ("$XSK validate $D/a.bin > /dev/full", 4, "stdout: write: no space left on device (ENOSPC)", true),
        ("$XSK inspect $D/a.bin --json > /dev/full", 4, "ENOSPC", true),
        ("$XSK save --device emulated:bmg,lmem=4GiB -o - | head -c 1000 > /dev/null", 4, "broken pipe", true),
        ("$XSK qemu extract $D/vm.mig -o - | head -c 100 > /dev/null", 4, "broken pipe", true),
        ("$XSK inspect $D/a.bin >&-", 4, "stdout: is closed (EBADF)", true),
        // Inputs.
        ("$XSK inspect - <&-", 4, "stdin: is closed (EBADF)", true),
        ("$XSK validate - <&-", 4, "stdin: is closed (EBADF)", true),
        ("$XSK inspect $D/folder", 4, "folder: is a directory (EISDIR)", false),
        ("$XSK inspect $D/nothere.bin", 4, "nothere.bin: no such file or directory (ENOENT)", false),
        ("$XSK validate /dev/zero", 2, "not a migration stream", true),
        ("$XSK validate - < /dev/zero", 2, "not a migration stream", true),
        ("$XSK validate /dev/urandom", 2, "not a migration stream", true),
        ("$XSK inspect /dev/zero", 2, "header.version must be 1", true),
        ("$XSK restore /dev/zero --device emulated:bmg,lmem=64KiB", 4, "EINVAL", true),
        ("$XSK qemu sections /dev/zero", 2, "qemu", true),
        ("$XSK qemu extract $D/novfio.mig -o $D/x.bin", 2, "no VFIO device", false),
        ("$XSK inspect $D/novfio.mig", 2, "no VFIO device", false),
        ("$XSK validate $D/novfio.mig", 2, "no VFIO device", false),
        ("$XSK restore $D/a.bin --device emulated:bmg,devid=0xE211,lmem=64KiB,ggtt=16KiB", 4, "ENODEV", false),
        // Usage.
        ("$XSK", 1, "(see: xsk --help)", false),
        ("$XSK validate $D/a.bin --bogus", 1, "'--bogus' (see: xsk validate --help)", false),
        ("$XSK validate --bogus", 1, "--bogus: unknown option", false),
        ("$XSK save -o $D/x.bin", 1, "--device", false),
        ("$XSK qemu inject $D/vm.mig", 1, "(see: xsk qemu inject --help)", false),
    ];

    [Fact]
    public void Every_bad_input_ends_in_one_line_a_documented_exit_code_bounded_time_and_memory()
    {
        var failures = new ConcurrentBag<string>();
        Parallel.ForEach(BadInputs, new ParallelOptions { MaxDegreeOfParallelism = 3 }, c =>
        {
            var line = c.Line.Replace("$D", _files.Dir, StringComparison.Ordinal);
            // Out of process: as written. In process: as written and with --json.
            var runs = c.Process ? [(line, false)] : new[] { (line, false), (line + " --json", true) };
            foreach (var (run, json) in runs)
            {
                var r = c.Process ? XskProcess.Run(run, _files.Dir, TimeSpan.FromSeconds(40)) : InProcess(run);
                var problem = Check(r, c.Code, c.Says, json);
                if (problem is not null) failures.Add($"{run}: {problem}\n    stderr: {r.StdErr.Trim()}\n    stdout: {Head(r.StdOut)}");
            }
        });
        failures.ShouldBeEmpty(string.Join("\n", failures));
    }

    /// <summary>Runs a line without pipes or redirections in this process (fast), bounding what
    /// the command allocates on its thread.</summary>
    private static XskProcess.Result InProcess(string line)
    {
        var args = Words(line).Skip(1).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = CliHarness.Run(null, args);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var stderr = allocated > XskProcess.HeapLimitBytes ? r.StdErr + $"\nout of memory: allocated {allocated} bytes" : r.StdErr;
        return new XskProcess.Result(r.ExitCode, r.StdOut, stderr, clock.Elapsed, clock.Elapsed > TimeSpan.FromSeconds(40));
    }

    /// <summary>Splits a command line at blanks; '' is an empty word.</summary>
    private static IEnumerable<string> Words(string line)
    {
        foreach (var w in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            yield return w == "''" ? "" : w;
    }

    private static string? Check(XskProcess.Result r, int code, string says, bool json)
    {
        if (r.TimedOut) return "did not end within 40 s";
        if (r.ExitCode != code) return $"exit {r.ExitCode}, expected {code}";
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("xsk: warning:", StringComparison.Ordinal)).ToList();
        var errorLines = lines.Where(l => l.StartsWith("xsk: ", StringComparison.Ordinal)).ToList();
        if (r.StdErr.Contains("   at ", StringComparison.Ordinal) || r.StdErr.Contains("Unhandled", StringComparison.Ordinal)) return "a stack trace";
        if (r.StdErr.Contains("internal error", StringComparison.Ordinal)) return "an internal error";
        if (r.StdErr.Contains("OutOfMemory", StringComparison.Ordinal) || r.StdErr.Contains("out of memory", StringComparison.Ordinal)) return "unbounded memory";
        if (errorLines.Count != 1) return $"{errorLines.Count} xsk: lines on stderr, expected 1";
        if (!errorLines[0].Contains(says, StringComparison.Ordinal)) return $"stderr does not say '{says}'";
        if (!json) return null;
        // inspect and qemu sections print what they read and the error in their own document.
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(r.StdOut);
        }
        catch (JsonException e)
        {
            return $"stdout is not one JSON document: {e.Message}";
        }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("error", out var error)) return "no \"error\" in the JSON document";
            if (code == 3) return error.ValueKind == JsonValueKind.Null ? null : "compat: error is not null";
            if (error.ValueKind != JsonValueKind.Object) return "\"error\" is not an object";
            if (error.TryGetProperty("exitCode", out var exit) && exit.GetInt32() != code) return $"error.exitCode {exit.GetInt32()}";
            if (string.IsNullOrEmpty(error.GetProperty("message").GetString())) return "empty error.message";
        }
        return null;
    }

    private static string Head(string s) => s.Length > 300 ? s[..300] + "..." : s;
}
