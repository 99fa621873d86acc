namespace XeStreamKit.Cli.Native;

/// <summary>Facts of the build, as constants (the csproj's <c>XskBuildInfo</c> target writes the
/// other half: <c>Version</c>, the informational version with the commit). Constants rather than
/// assembly attributes read back by reflection, which a native start paid for.</summary>
internal static partial class BuildInfo;
