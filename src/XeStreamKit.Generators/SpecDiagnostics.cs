using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace XeStreamKit.Generators;

/// <summary>The generator's diagnostics. Every one is an error: a spec the generator cannot
/// represent exactly must fail the build, never be skipped.</summary>
internal static class SpecDiagnostics
{
    private const string Category = "XeStreamKit.Spec";

    public static readonly DiagnosticDescriptor UnsupportedKey = new(
        "XSK001", "Unsupported spec key",
        "{0}: key '{1}' is not supported by the XeStreamKit generator{2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedValue = new(
        "XSK002", "Unsupported spec construct",
        "{0}: {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor Syntax = new(
        "XSK003", "Spec is not valid YAML",
        "{0}: {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadReference = new(
        "XSK004", "Spec refers to something it does not define",
        "{0}: {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor Missing = new(
        "XSK005", "Spec lacks a required key",
        "{0}: required key '{1}' is missing",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}

/// <summary>A diagnostic as plain data, so generator pipeline results stay equatable.</summary>
internal sealed class SpecDiagnostic : IEquatable<SpecDiagnostic>
{
    public SpecDiagnostic(DiagnosticDescriptor descriptor, string file, Mark start, Mark end, params string[] args)
    {
        Descriptor = descriptor;
        File = file;
        StartIndex = (int)start.Index;
        EndIndex = (int)Math.Max(start.Index, end.Index);
        StartLine = (int)start.Line;
        StartColumn = (int)start.Column;
        EndLine = (int)end.Line;
        EndColumn = (int)end.Column;
        Args = args;
    }

    public DiagnosticDescriptor Descriptor { get; }
    public string File { get; }
    public int StartIndex { get; }
    public int EndIndex { get; }
    public int StartLine { get; }
    public int StartColumn { get; }
    public int EndLine { get; }
    public int EndColumn { get; }
    public string[] Args { get; }

    public Diagnostic ToDiagnostic()
    {
        // YamlDotNet marks are 1-based; Roslyn line positions are 0-based.
        var span = new LinePositionSpan(
            new LinePosition(Math.Max(0, StartLine - 1), Math.Max(0, StartColumn - 1)),
            new LinePosition(Math.Max(0, EndLine - 1), Math.Max(0, EndColumn - 1)));
        var location = Location.Create(File, TextSpan.FromBounds(StartIndex, EndIndex), span);
        return Diagnostic.Create(Descriptor, location, Args);
    }

    public bool Equals(SpecDiagnostic? other) =>
        other is not null && Descriptor.Id == other.Descriptor.Id && File == other.File &&
        StartIndex == other.StartIndex && string.Join("\u0001", Args) == string.Join("\u0001", other.Args);

    public override bool Equals(object? obj) => Equals(obj as SpecDiagnostic);
    public override int GetHashCode() => (Descriptor.Id + File + StartIndex).GetHashCode();
}

/// <summary>Collects diagnostics for one spec file.</summary>
internal sealed class SpecReport
{
    private readonly List<SpecDiagnostic> _items = new();

    public SpecReport(string file) => File = file;

    public string File { get; }
    public IReadOnlyList<SpecDiagnostic> Items => _items;
    public bool HasErrors => _items.Count > 0;

    public void Add(DiagnosticDescriptor descriptor, YamlNode? node, params string[] args) =>
        _items.Add(new SpecDiagnostic(descriptor, File, node?.Start ?? Mark.Empty, node?.End ?? Mark.Empty, args));

    public void AddAt(DiagnosticDescriptor descriptor, Mark start, Mark end, params string[] args) =>
        _items.Add(new SpecDiagnostic(descriptor, File, start, end, args));
}
