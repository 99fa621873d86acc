using XeStreamKit.Catalog;

namespace XeStreamKit.Compatibility;

/// <summary>
/// Where the targets that live outside the spec text come from: the text of an <c>@file</c>
/// target and a real host's <c>host:&lt;BDF&gt;</c>. The core reads neither (no file, sysfs or
/// debugfs I/O): the caller passes one to <see cref="TargetSpec.Parse"/>
/// (XeStreamKit.Devices.Host.HostTargetSource reads the real ones).
/// </summary>
public interface ITargetSource
{
    /// <summary>The text of the JSON file <paramref name="path"/>, at most
    /// <see cref="TargetSpec.MaxJsonBytes"/>; a problem is an exception whose message starts with
    /// <paramref name="what"/>.</summary>
    string ReadJson(string path, string what);

    /// <summary>The target of VF <paramref name="vf"/> of the PF at PCI address <paramref name="bdf"/>
    /// as its host shows it; a problem is an exception whose message starts with <paramref name="what"/>.</summary>
    TargetProfile ReadHost(string bdf, uint vf, string what);
}
