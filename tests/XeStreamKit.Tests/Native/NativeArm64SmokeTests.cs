using System.Runtime.InteropServices;
using XeStreamKit.Tests.Support;

namespace XeStreamKit.Tests.Native;

/// <summary>
/// A [Fact] against the linux-arm64 Native AOT binary named by <c>XSK_NATIVE_ARM64</c>
/// (<c>dotnet publish src/XeStreamKit.Cli -c Release -r linux-arm64 -o &lt;dir&gt;</c>), run natively
/// on arm64 and under qemu-aarch64 (qemu-user, with Debian's aarch64 libc in
/// /usr/aarch64-linux-gnu) elsewhere; skipped with the reason otherwise. Not set by .ci/run: the
/// cross publish and the emulated runs cost minutes (bench/README.md).
/// </summary>
public sealed class NativeArm64FactAttribute : FactAttribute
{
    public const string Variable = "XSK_NATIVE_ARM64";

    /// <param name="needsOpenSsl">The commands need OpenSSL (SHA-256 of corpus files: .NET's
    /// cryptography dlopens libssl.so.3), which Debian's aarch64 cross libc does not include.</param>
    public NativeArm64FactAttribute(bool needsOpenSsl = false)
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(path))
            Skip = $"no arm64 xsk: set {Variable}=<dir>/xsk (dotnet publish src/XeStreamKit.Cli -c Release -r linux-arm64 -o <dir>, with clang, libc6-dev-arm64-cross and binutils-aarch64-linux-gnu) to run it under qemu-aarch64";
        else if (!File.Exists(path))
            Skip = $"{Variable}={path}: no such file";
        else if (!NativeArm64SmokeTests.OnArm64 && NativeArm64SmokeTests.Qemu is null)
            Skip = "no qemu-aarch64 on PATH (apt-get install qemu-user): the arm64 xsk cannot run here";
        else if (!NativeArm64SmokeTests.OnArm64 && !File.Exists(Path.Combine(NativeArm64SmokeTests.Sysroot, "lib", "ld-linux-aarch64.so.1")))
            Skip = $"no aarch64 libc in {NativeArm64SmokeTests.Sysroot} (apt-get install libc6-arm64-cross)";
        else if (needsOpenSsl && !NativeArm64SmokeTests.OnArm64 && !File.Exists(Path.Combine(NativeArm64SmokeTests.Sysroot, "lib", "libssl.so.3")))
            Skip = $"no aarch64 libssl.so.3 in {NativeArm64SmokeTests.Sysroot}/lib (Debian has no libssl3 -arm64-cross package; libssl3:arm64's files would do): SHA-256 dlopens OpenSSL";
    }
}

/// <summary>
/// The linux-arm64 Native AOT <c>xsk</c> (<c>XSK_NATIVE_ARM64</c>) against the JIT build run
/// in-process on the same inputs: the same output byte for byte and the same exit code. On x86-64
/// it runs under qemu-aarch64 user-mode emulation, so this checks the cross-compiled code and its
/// arm64 paths (ARMv8 CRC32, AdvSIMD) on an emulated CPU, not on arm64 hardware. A sample of the
/// corpus only: every emulated start costs about a second.
/// </summary>
public sealed class NativeArm64SmokeTests : IDisposable
{
    private readonly TempDir _dir = new("xsk-arm64-");

    public void Dispose() => _dir.Dispose();

    /// <summary>Debian's aarch64 libc (libc6-arm64-cross), the root qemu-aarch64 loads it from.</summary>
    internal const string Sysroot = "/usr/aarch64-linux-gnu";

    /// <summary>True on an arm64 host: the binary runs natively.</summary>
    internal static bool OnArm64 => RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64;

    /// <summary>qemu-aarch64 found on PATH, or null.</summary>
    internal static string? Qemu { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "qemu-aarch64"))
        .FirstOrDefault(File.Exists);

    private static string Binary => Environment.GetEnvironmentVariable(NativeArm64FactAttribute.Variable)!;

    private static CliHarness.Result RunArm64(byte[]? stdin, params string[] args) => OnArm64
        ? NativeComparison.Run(Binary, args, stdin)
        : NativeComparison.Run(Qemu!, ["-L", Sysroot, Binary, .. args], stdin);

    /// <summary>Runs both builds and asserts the same exit code, stdout and stderr.</summary>
    private static CliHarness.Result Same(byte[]? stdin, params string[] args) => NativeComparison.Same(RunArm64, stdin, args);

    private static string WithoutTimes(string json) => NativeComparison.WithoutTimes(json);

    [NativeArm64Fact]
    public void Is_an_arm64_build_with_hardware_crc_and_matches_version_and_rules()
    {
        RunArm64(null, "--version").StdOut.ShouldBe(CliHarness.Run(null, "--version").StdOut);
        var verbose = RunArm64(null, "--version", "--verbose");
        verbose.ExitCode.ShouldBe(0, verbose.StdErr);
        verbose.StdOut.ShouldContain("build: native AOT armv8-a+crc");
        verbose.StdOut.ShouldContain("linux-arm64");
        verbose.StdOut.ShouldContain("crc-32c: 1 lane (ARMv8 CRC32)");
        verbose.StdOut.ShouldContain("vectors: 128-bit (AdvSIMD)");
        Same(null, "rules", "--json");
    }

    [NativeArm64Fact]
    public void Inspect_validate_digest_and_compat_of_a_corpus_sample_match()
    {
        var files = Directory.GetFiles(RepoPaths.Corpus, "*.bin").Order().Where((_, i) => i % 12 == 0).ToList();
        files.Count.ShouldBeGreaterThan(5);
        foreach (var file in files)
        {
            Same(null, "inspect", file);
            Same(null, "validate", file, "--profile", "strict", "--digest");
            Same(null, "compat", file, "--target", "bmg,devid=0xE211", "--json");
        }
        Same(File.ReadAllBytes(files[0]), "validate", "-", "--digest");
    }

    [NativeArm64Fact]
    public void Save_of_an_emulated_vf_is_the_same_stream_and_restores_the_same_state()
    {
        var jitImage = Path.Combine(_dir.Path, "jit.bin");
        var armImage = Path.Combine(_dir.Path, "arm64.bin");
        var save = new[] { "save", "--device", "emulated:bmg,lmem=64MiB,chunk=16MiB", "--json", "-o" };
        var jit = CliHarness.Run(null, [.. save, jitImage]);
        var arm64 = RunArm64(null, [.. save, armImage]);
        arm64.ExitCode.ShouldBe(0, arm64.StdErr);
        jit.ExitCode.ShouldBe(0, jit.StdErr);
        File.ReadAllBytes(armImage).ShouldBe(File.ReadAllBytes(jitImage));
        WithoutTimes(arm64.StdOut).Replace(armImage, "IMAGE").ShouldBe(WithoutTimes(jit.StdOut).Replace(jitImage, "IMAGE"));

        Same(null, "validate", armImage, "--profile", "strict", "--digest", "--json");
        var restore = new[] { "restore", armImage, "--device", "emulated:bmg,lmem=64MiB,vf=2", "--json" };
        var restoredJit = CliHarness.Run(null, restore);
        var restoredArm64 = RunArm64(null, restore);
        restoredArm64.ExitCode.ShouldBe(0, restoredArm64.StdErr);
        WithoutTimes(restoredArm64.StdOut).ShouldBe(WithoutTimes(restoredJit.StdOut));
    }

    [NativeArm64Fact]
    public void Qemu_sections_match()
    {
        var fixtures = Path.Combine(RepoPaths.Root, "tests", "XeStreamKit.Tests", "Qemu", "fixtures");
        foreach (var file in Directory.GetFiles(fixtures, "*.bin"))
            Same(null, "qemu", "sections", file, "--json");
    }

    [NativeArm64Fact(needsOpenSsl: true)]
    public void Conformance_run_of_the_corpus_matches() =>
        Same(null, "conformance", "run", "--impl", "validator", "--corpus", RepoPaths.Corpus);

    [NativeArm64Fact]
    public void Demo_moves_the_vf()
    {
        var r = RunArm64(null, "demo", "--lmem", "64MiB");
        r.ExitCode.ShouldBe(0, r.StdOut + r.StdErr);
        r.StdOut.ShouldContain("OK: the VF's state moved intact");
    }
}
