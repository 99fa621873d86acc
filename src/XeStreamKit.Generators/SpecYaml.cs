using System.IO;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace XeStreamKit.Generators;

/// <summary>Loads a spec file's YAML: the .ksy, rules.yaml and devices.yaml alike.</summary>
internal static class SpecYaml
{
    /// <summary>The root node of <paramref name="text"/>, which must be exactly one YAML document;
    /// otherwise null, with a syntax diagnostic (XSK003) in <paramref name="report"/>.</summary>
    public static YamlNode? Load(string text, SpecReport report)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 1) return stream.Documents[0].RootNode;
            report.Add(SpecDiagnostics.Syntax, null, report.File, "expected exactly one YAML document");
            return null;
        }
        catch (YamlException e)
        {
            report.AddAt(SpecDiagnostics.Syntax, e.Start, e.End, report.File, e.Message);
            return null;
        }
    }
}
