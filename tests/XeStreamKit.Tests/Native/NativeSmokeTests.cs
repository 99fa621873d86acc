using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Native;

/// <summary>
/// The Native AOT <c>xsk</c> (<c>XSK_NATIVE</c>) against the JIT build run in-process on the same
/// inputs: the same output byte for byte and the same exit code, for every command a migration
/// host runs. The native process gets an empty environment but PATH, so nothing of .NET is
/// reachable from it.
/// </summary>
public sealed class NativeSmokeTests : IDisposable
{
    private readonly TempDir _dir = new("xsk-native-");

    public void Dispose() => _dir.Dispose();

    private static string Native => Environment.GetEnvironmentVariable(NativeFactAttribute.Variable)!;

    // The portable flavour compares too: a v4 build next to it would take over otherwise.
    private static CliHarness.Result RunNative(byte[]? stdin, params string[] args) =>
        NativeComparison.Run(Native, args, stdin, ("XSK_CPU", "portable"));

    /// <summary>Runs both builds and asserts the same exit code, stdout and stderr.</summary>
    private static CliHarness.Result Same(byte[]? stdin, params string[] args) => NativeComparison.Same(RunNative, stdin, args);

    private static string WithoutTimes(string json) => NativeComparison.WithoutTimes(json);

    [NativeFact]
    public void Version_rules_and_completion_match_the_jit_build()
    {
        RunNative(null, "--version").StdOut.ShouldBe(CliHarness.Run(null, "--version").StdOut);
        var verbose = RunNative(null, "--version", "--verbose");
        verbose.ExitCode.ShouldBe(0, verbose.StdErr);
        verbose.StdOut.ShouldContain("build: native AOT x86-64-");
        verbose.StdOut.ShouldContain("globalization invariant");
        verbose.StdOut.ShouldContain("crc-32c: ");
        Same(null, "rules", "--json");
        Same(null, "rules", "XE-DESC-DEVID");
        Same(null, "completion", "bash");
    }

    [NativeFact]
    public void Inspect_validate_digest_and_compat_of_every_corpus_vector_match()
    {
        var files = Directory.GetFiles(RepoPaths.Corpus, "*.bin").Order().ToList();
        files.Count.ShouldBeGreaterThan(50);
        foreach (var file in files)
        {
            Same(null, "inspect", file);
            Same(null, "validate", file, "--profile", "strict", "--digest");
            Same(null, "compat", file, "--target", "bmg,devid=0xE211");
        }
        foreach (var file in files.Where((_, i) => i % 8 == 0))
        {
            Same(null, "inspect", file, "--json");
            Same(null, "validate", file, "--digest", "--json");
            Same(File.ReadAllBytes(file), "validate", "-", "--digest");
            Same(null, "compat", file, "--target", "ptl", "--json");
        }
    }

    [NativeFact]
    public void Save_of_an_emulated_vf_is_the_same_stream_and_restores_the_same_state()
    {
        var jitImage = Path.Combine(_dir.Path, "jit.bin");
        var nativeImage = Path.Combine(_dir.Path, "native.bin");
        var save = new[] { "save", "--device", "emulated:bmg,lmem=64MiB,chunk=16MiB", "--json", "-o" };
        var jit = CliHarness.Run(null, [.. save, jitImage]);
        var native = RunNative(null, [.. save, nativeImage]);
        native.ExitCode.ShouldBe(0, native.StdErr);
        jit.ExitCode.ShouldBe(0, jit.StdErr);
        File.ReadAllBytes(nativeImage).ShouldBe(File.ReadAllBytes(jitImage));
        WithoutTimes(native.StdOut).Replace(nativeImage, "IMAGE").ShouldBe(WithoutTimes(jit.StdOut).Replace(jitImage, "IMAGE"));

        Same(null, "validate", nativeImage, "--profile", "strict", "--digest");
        var restore = new[] { "restore", nativeImage, "--device", "emulated:bmg,lmem=64MiB,vf=2", "--json" };
        var restoredJit = CliHarness.Run(null, restore);
        var restoredNative = RunNative(null, restore);
        restoredNative.ExitCode.ShouldBe(0, restoredNative.StdErr);
        WithoutTimes(restoredNative.StdOut).ShouldBe(WithoutTimes(restoredJit.StdOut));
        Same(null, "restore", nativeImage, "--device", "emulated:bmg,lmem=64MiB,devid=0xE211");
    }

    [NativeFact]
    public void Qemu_sections_and_extract_match()
    {
        var fixtures = Path.Combine(RepoPaths.Root, "tests", "XeStreamKit.Tests", "Qemu", "fixtures");
        foreach (var file in Directory.GetFiles(fixtures, "*.bin"))
        {
            Same(null, "qemu", "sections", file);
            Same(null, "qemu", "sections", file, "--json");
            Same(null, "qemu", "extract", file, "-o", "-");
        }
    }

    [NativeFact]
    public void Conformance_runs_of_the_corpus_match()
    {
        Same(null, "conformance", "run", "--impl", "validator", "--corpus", RepoPaths.Corpus);
        string[] matrix = ["conformance", "run", "--impl", "model", "--impl", "emulated", "--matrix", "--corpus", RepoPaths.Corpus, "--split", "random:7", "--json"];
        var jit = CliHarness.Run(null, matrix);
        var native = RunNative(null, matrix);
        native.ExitCode.ShouldBe(jit.ExitCode, native.StdErr);
        WithoutTimes(native.StdOut).ShouldBe(WithoutTimes(jit.StdOut));
    }

    [NativeFact]
    public void Demo_moves_the_vf_with_nothing_but_path_in_the_environment()
    {
        var r = RunNative(null, "demo", "--lmem", "64MiB");
        r.ExitCode.ShouldBe(0, r.StdOut + r.StdErr);
        var jit = CliHarness.Run(null, "demo", "--lmem", "64MiB");
        r.StdOut.Split('\n').Count(l => l.Contains("digest", StringComparison.OrdinalIgnoreCase)).ShouldBe(jit.StdOut.Split('\n').Count(l => l.Contains("digest", StringComparison.OrdinalIgnoreCase)));
    }
}
