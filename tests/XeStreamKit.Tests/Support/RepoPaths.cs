namespace XeStreamKit.Tests.Support;

/// <summary>Locations in the checkout, found from the test binary by walking up to XeStreamKit.sln.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();
    public static string Spec => Path.Combine(Root, "spec", "xe_sriov_migration.ksy");
    public static string KaitaiDir => Path.Combine(Root, "tests", "XeStreamKit.Differential.Tests", "kaitai");
    public static string Corpus => Path.Combine(Root, "conformance", "corpus");
    public static string Rules => Path.Combine(Root, "spec", "rules.yaml");
    public static string Devices => Path.Combine(Root, "spec", "devices.yaml");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "XeStreamKit.sln"))) return dir.FullName;
        throw new InvalidOperationException("XeStreamKit.sln not found above " + AppContext.BaseDirectory);
    }
}
