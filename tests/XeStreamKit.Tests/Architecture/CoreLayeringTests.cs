using XeStreamKit.Compatibility;
using XeStreamKit.Devices.Host;
using XeStreamKit.Format;
using XeStreamKit.Tests.Support;
using XeStreamKit.Text;

namespace XeStreamKit.Tests.Architecture;

/// <summary>
/// The core's shape, read from the compiled assembly's metadata (not from source text): its
/// namespaces depend on each other without a cycle (Format and Catalog at the bottom, Driver on
/// them, Validation and Compatibility on Driver), and it does no file, console, sysfs or debugfs I/O.
/// </summary>
public class CoreLayeringTests
{
    private static readonly string CorePath = typeof(PacketHeader).Assembly.Location;
    private static readonly string DevicesPath = typeof(HostTargetSource).Assembly.Location;
    private static readonly Lazy<AssemblyDependencies> Core = new(() => AssemblyDependencies.Read(CorePath, "XeStreamKit"));

    private static IReadOnlyDictionary<string, string> EdgesOf(string ns) =>
        Core.Value.NamespaceGraph.TryGetValue(ns, out var e) ? e : new Dictionary<string, string>();

    [Fact]
    public void The_core_namespaces_form_no_cycle()
    {
        var graph = Core.Value.NamespaceGraph;
        var cycle = AssemblyDependencies.FindCycle(graph);
        cycle.ShouldBeNull(cycle is null ? "" : "namespace cycle " + string.Join(" -> ", cycle) + ":\n  "
            + string.Join("\n  ", cycle.Zip(cycle.Skip(1)).Select(e => graph[e.First][e.Second])));

        // The reader sees the references there are (else an empty graph would pass).
        EdgesOf("XeStreamKit.Driver").Keys.ShouldContain("XeStreamKit.Catalog");
        EdgesOf("XeStreamKit.Driver").Keys.ShouldContain("XeStreamKit.Format");
        EdgesOf("XeStreamKit.Validation").Keys.ShouldContain("XeStreamKit.Driver");
        EdgesOf("XeStreamKit.Compatibility").Keys.ShouldContain("XeStreamKit.Driver");
    }

    [Theory]
    [InlineData("XeStreamKit.Catalog", "XeStreamKit.Driver")]
    [InlineData("XeStreamKit.Catalog", "XeStreamKit.Validation")]
    [InlineData("XeStreamKit.Catalog", "XeStreamKit.Compatibility")]
    [InlineData("XeStreamKit.Format", "XeStreamKit.Catalog")]
    [InlineData("XeStreamKit.Driver", "XeStreamKit.Validation")]
    [InlineData("XeStreamKit.Driver", "XeStreamKit.Compatibility")]
    [InlineData("XeStreamKit.Validation", "XeStreamKit.Compatibility")]
    [InlineData("XeStreamKit.Compatibility", "XeStreamKit.Validation")]
    public void A_lower_layer_does_not_use_a_higher_or_a_sibling_one(string from, string to) =>
        EdgesOf(from).TryGetValue(to, out var example).ShouldBeFalse($"{from} uses {to}: {example}");

    [Fact]
    public void The_cycle_finder_names_a_cycle_and_passes_a_dag()
    {
        static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> G(params (string From, string To)[] edges) =>
            edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, string>)g.ToDictionary(e => e.To, e => e.From + "->" + e.To));
        AssemblyDependencies.FindCycle(G(("a", "b"), ("b", "c"), ("a", "c"))).ShouldBeNull();
        AssemblyDependencies.FindCycle(G(("a", "b"), ("b", "c"), ("c", "d"), ("d", "b"))).ShouldBe(["b", "c", "d", "b"]);
    }

    private static readonly string[] IoTypes =
    [
        "System.IO.File", "System.IO.Directory", "System.IO.FileStream", "System.IO.FileInfo", "System.IO.DirectoryInfo",
        "System.IO.FileSystemInfo", "System.IO.RandomAccess", "System.IO.FileSystemWatcher", "System.Console",
        "Microsoft.Win32.SafeHandles.SafeFileHandle",
    ];

    private static (string[] Types, string[] Strings) Io(AssemblyDependencies d) =>
        (IoTypes.Where(d.ExternalTypes.Contains).ToArray(), d.Strings.Where(s => s.Contains("/sys", StringComparison.Ordinal)).Distinct().ToArray());

    [Fact]
    public void The_core_uses_no_file_directory_or_console_api_and_names_no_sysfs_path()
    {
        // The same scan finds them where they are: Devices reads hosts and files.
        var devices = Io(AssemblyDependencies.Read(DevicesPath, "XeStreamKit"));
        devices.Types.ShouldContain("System.IO.File");
        devices.Types.ShouldContain("System.IO.Directory");
        devices.Types.ShouldContain("System.IO.FileStream");
        devices.Strings.ShouldContain("/sys");

        var core = Io(Core.Value);
        core.Types.ShouldBeEmpty();
        core.Strings.ShouldBeEmpty();
    }

    [Fact]
    public void The_core_reads_an_at_file_or_host_target_only_through_the_callers_source()
    {
        Should.Throw<SpecTextException>(() => TargetSpec.Parse("@/etc/hostname")).Message.ShouldBe("target: @/etc/hostname is a file, and no target source reads files here");
        Should.Throw<SpecTextException>(() => TargetSpec.Parse("host:0000:03:00.0,vf=1")).Message.ShouldBe("target: host:0000:03:00.0 is read from a host, and no target source reads hosts here");
        TargetSpec.ParseJson("""{"platform": "ptl", "ggtt": "16KiB"}""", "t.json").Target.GgttBytes.ShouldBe(16UL << 10);
    }
}
