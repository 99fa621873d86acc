using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace XeStreamKit.Tests.Support;

/// <summary>
/// What an assembly's code refers to, read from its metadata (System.Reflection.Metadata), not
/// from its source: for every type of the assembly, the types named by its base type and
/// interfaces, fields, method and property signatures, custom attributes, and its method bodies
/// (the type, method and field tokens of every IL instruction, local variables, catch clauses);
/// plus every type it references from other assemblies and every string literal and constant.
/// A using directive that nothing uses does not count; a fully qualified name does.
/// </summary>
public sealed class AssemblyDependencies
{
    /// <summary>Namespace -> namespaces of the same assembly its types refer to (itself excluded),
    /// each edge with one example ("Type -> Type") as evidence.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceGraph { get; }

    /// <summary>Full names (Namespace.Type, nested as Outer+Inner) of the types referenced from other assemblies.</summary>
    public IReadOnlySet<string> ExternalTypes { get; }

    /// <summary>The string literals of its method bodies (ldstr) and its string constants.</summary>
    public IReadOnlyList<string> Strings { get; }

    private AssemblyDependencies(Dictionary<string, Dictionary<string, string>> graph, HashSet<string> external, List<string> strings)
    {
        NamespaceGraph = graph.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value);
        ExternalTypes = external;
        Strings = strings;
    }

    /// <summary>Reads the assembly file at <paramref name="path"/>; the graph's nodes are the
    /// namespaces that start with <paramref name="namespacePrefix"/>.</summary>
    public static AssemblyDependencies Read(string path, string namespacePrefix)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var names = new TypeNames(reader);
        var graph = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var strings = new List<string>();

        foreach (var typeHandle in reader.TypeDefinitions)
        {
            var from = names.Namespace(typeHandle);
            if (!from.StartsWith(namespacePrefix, StringComparison.Ordinal)) continue;
            var fromName = names.FullName(typeHandle);
            if (!graph.TryGetValue(from, out var edges)) graph[from] = edges = new(StringComparer.Ordinal);
            void Add(IEnumerable<TypeRefName> targets)
            {
                foreach (var t in targets)
                    if (t.Internal && t.Namespace != from && t.Namespace.StartsWith(namespacePrefix, StringComparison.Ordinal))
                        edges.TryAdd(t.Namespace, $"{fromName} -> {t.FullName}");
            }

            var type = reader.GetTypeDefinition(typeHandle);
            if (!type.BaseType.IsNil) Add(names.Of(type.BaseType));
            foreach (var i in type.GetInterfaceImplementations()) Add(names.Of(reader.GetInterfaceImplementation(i).Interface));
            foreach (var a in type.GetCustomAttributes()) Add(names.Of(reader.GetCustomAttribute(a).Constructor));
            foreach (var f in type.GetFields())
            {
                var field = reader.GetFieldDefinition(f);
                Add(field.DecodeSignature(names, null));
                foreach (var a in field.GetCustomAttributes()) Add(names.Of(reader.GetCustomAttribute(a).Constructor));
            }
            foreach (var p in type.GetProperties())
            {
                var sig = reader.GetPropertyDefinition(p).DecodeSignature(names, null);
                Add(sig.ReturnType.Concat(sig.ParameterTypes.SelectMany(x => x)));
            }
            foreach (var m in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(m);
                var sig = method.DecodeSignature(names, null);
                Add(sig.ReturnType.Concat(sig.ParameterTypes.SelectMany(x => x)));
                foreach (var a in method.GetCustomAttributes()) Add(names.Of(reader.GetCustomAttribute(a).Constructor));
                if (method.RelativeVirtualAddress == 0) continue;
                var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                    Add(reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(names, null).SelectMany(x => x));
                foreach (var region in body.ExceptionRegions)
                    if (!region.CatchType.IsNil) Add(names.Of(region.CatchType));
                foreach (var (operand, token) in Il.Tokens(body.GetILBytes() ?? []))
                {
                    if (operand == OperandType.InlineString) strings.Add(reader.GetUserString(MetadataTokens.UserStringHandle(token & 0x00FFFFFF)));
                    else if (operand == OperandType.InlineSig) Add(names.OfStandalone(MetadataTokens.StandaloneSignatureHandle(token & 0x00FFFFFF)));
                    else Add(names.Of(MetadataTokens.EntityHandle(token)));
                }
            }
        }

        for (var row = 1; row <= reader.GetTableRowCount(TableIndex.Constant); row++)
        {
            var constant = reader.GetConstant(MetadataTokens.ConstantHandle(row));
            if (constant.TypeCode == ConstantTypeCode.String && !constant.Value.IsNil)
            {
                var blob = reader.GetBlobReader(constant.Value);
                strings.Add(blob.ReadUTF16(blob.Length));
            }
        }

        var external = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in reader.TypeReferences) external.Add(names.FullName(r));
        return new AssemblyDependencies(graph, external, strings);
    }

    /// <summary>A cycle of <paramref name="graph"/> (its nodes in order, the first repeated at the
    /// end), or null when it is acyclic.</summary>
    public static IReadOnlyList<string>? FindCycle<TEvidence>(IReadOnlyDictionary<string, IReadOnlyDictionary<string, TEvidence>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            if (graph.TryGetValue(node, out var edges))
                foreach (var next in edges.Keys.Order(StringComparer.Ordinal))
                {
                    if (state.GetValueOrDefault(next) == 1) return [.. path.Skip(path.IndexOf(next)), next];
                    if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
                }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }

    /// <summary>A type named in metadata: its namespace, full name, and whether it is defined in
    /// the assembly being read.</summary>
    public readonly record struct TypeRefName(string Namespace, string FullName, bool Internal);

    /// <summary>Names the types behind handles and signatures.</summary>
    private sealed class TypeNames(MetadataReader reader) : ISignatureTypeProvider<ImmutableArray<TypeRefName>, object?>
    {
        private static readonly ImmutableArray<TypeRefName> None = [];

        public string Namespace(TypeDefinitionHandle h)
        {
            var t = reader.GetTypeDefinition(h);
            var outer = t.GetDeclaringType();
            return outer.IsNil ? reader.GetString(t.Namespace) : Namespace(outer);
        }

        public string FullName(TypeDefinitionHandle h)
        {
            var t = reader.GetTypeDefinition(h);
            var outer = t.GetDeclaringType();
            return outer.IsNil ? Join(reader.GetString(t.Namespace), reader.GetString(t.Name)) : FullName(outer) + "+" + reader.GetString(t.Name);
        }

        public string FullName(TypeReferenceHandle h)
        {
            var t = reader.GetTypeReference(h);
            return t.ResolutionScope.Kind == HandleKind.TypeReference
                ? FullName((TypeReferenceHandle)t.ResolutionScope) + "+" + reader.GetString(t.Name)
                : Join(reader.GetString(t.Namespace), reader.GetString(t.Name));
        }

        private string RefNamespace(TypeReferenceHandle h)
        {
            var t = reader.GetTypeReference(h);
            return t.ResolutionScope.Kind == HandleKind.TypeReference ? RefNamespace((TypeReferenceHandle)t.ResolutionScope) : reader.GetString(t.Namespace);
        }

        private static string Join(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

        /// <summary>The types a type, member or signature handle names.</summary>
        public ImmutableArray<TypeRefName> Of(EntityHandle h)
        {
            switch (h.Kind)
            {
                case HandleKind.TypeDefinition:
                    return GetTypeFromDefinition(reader, (TypeDefinitionHandle)h, 0);
                case HandleKind.TypeReference:
                    return GetTypeFromReference(reader, (TypeReferenceHandle)h, 0);
                case HandleKind.TypeSpecification:
                    return reader.GetTypeSpecification((TypeSpecificationHandle)h).DecodeSignature(this, null);
                case HandleKind.FieldDefinition:
                {
                    var f = reader.GetFieldDefinition((FieldDefinitionHandle)h);
                    return [.. Of(f.GetDeclaringType()), .. f.DecodeSignature(this, null)];
                }
                case HandleKind.MethodDefinition:
                {
                    var m = reader.GetMethodDefinition((MethodDefinitionHandle)h);
                    var sig = m.DecodeSignature(this, null);
                    return [.. Of(m.GetDeclaringType()), .. sig.ReturnType, .. sig.ParameterTypes.SelectMany(x => x)];
                }
                case HandleKind.MemberReference:
                {
                    var m = reader.GetMemberReference((MemberReferenceHandle)h);
                    var parent = m.Parent.Kind is HandleKind.ModuleReference ? None : Of(m.Parent);
                    if (m.GetKind() == MemberReferenceKind.Field) return [.. parent, .. m.DecodeFieldSignature(this, null)];
                    var sig = m.DecodeMethodSignature(this, null);
                    return [.. parent, .. sig.ReturnType, .. sig.ParameterTypes.SelectMany(x => x)];
                }
                case HandleKind.MethodSpecification:
                {
                    var m = reader.GetMethodSpecification((MethodSpecificationHandle)h);
                    return [.. Of(m.Method), .. m.DecodeSignature(this, null).SelectMany(x => x)];
                }
                default:
                    return None;
            }
        }

        public ImmutableArray<TypeRefName> OfStandalone(StandaloneSignatureHandle h)
        {
            var s = reader.GetStandaloneSignature(h);
            if (s.GetKind() != StandaloneSignatureKind.Method) return None;
            var sig = s.DecodeMethodSignature(this, null);
            return [.. sig.ReturnType, .. sig.ParameterTypes.SelectMany(x => x)];
        }

        public ImmutableArray<TypeRefName> GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle handle, byte rawTypeKind) =>
            [new(Namespace(handle), FullName(handle), Internal: true)];

        public ImmutableArray<TypeRefName> GetTypeFromReference(MetadataReader r, TypeReferenceHandle handle, byte rawTypeKind) =>
            [new(RefNamespace(handle), FullName(handle), Internal: false)];

        public ImmutableArray<TypeRefName> GetTypeFromSpecification(MetadataReader r, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            r.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public ImmutableArray<TypeRefName> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
        public ImmutableArray<TypeRefName> GetSZArrayType(ImmutableArray<TypeRefName> elementType) => elementType;
        public ImmutableArray<TypeRefName> GetArrayType(ImmutableArray<TypeRefName> elementType, ArrayShape shape) => elementType;
        public ImmutableArray<TypeRefName> GetPointerType(ImmutableArray<TypeRefName> elementType) => elementType;
        public ImmutableArray<TypeRefName> GetByReferenceType(ImmutableArray<TypeRefName> elementType) => elementType;
        public ImmutableArray<TypeRefName> GetPinnedType(ImmutableArray<TypeRefName> elementType) => elementType;
        public ImmutableArray<TypeRefName> GetGenericMethodParameter(object? genericContext, int index) => None;
        public ImmutableArray<TypeRefName> GetGenericTypeParameter(object? genericContext, int index) => None;
        public ImmutableArray<TypeRefName> GetModifiedType(ImmutableArray<TypeRefName> modifier, ImmutableArray<TypeRefName> unmodifiedType, bool isRequired) => [.. modifier, .. unmodifiedType];
        public ImmutableArray<TypeRefName> GetGenericInstantiation(ImmutableArray<TypeRefName> genericType, ImmutableArray<ImmutableArray<TypeRefName>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(x => x)];
        public ImmutableArray<TypeRefName> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeRefName>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(x => x)];
    }

    /// <summary>Walks IL: the metadata token of every instruction that has one.</summary>
    private static class Il
    {
        private static readonly OpCode[] OneByte = new OpCode[0x100];
        private static readonly OpCode[] TwoByte = new OpCode[0x100];

        static Il()
        {
            foreach (var f in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var op = (OpCode)f.GetValue(null)!;
                var value = (ushort)op.Value;
                if (op.Size == 1) OneByte[value] = op;
                else TwoByte[value & 0xFF] = op;
            }
        }

        public static IEnumerable<(OperandType Operand, int Token)> Tokens(byte[] il)
        {
            var i = 0;
            while (i < il.Length)
            {
                var op = il[i] == 0xFE ? TwoByte[il[++i]] : OneByte[il[i]];
                i++;
                switch (op.OperandType)
                {
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType
                        or OperandType.InlineString or OperandType.InlineSig:
                        yield return (op.OperandType, BitConverter.ToInt32(il, i));
                        i += 4;
                        break;
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        i += 1;
                        break;
                    case OperandType.InlineVar:
                        i += 2;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        i += 8;
                        break;
                    case OperandType.InlineSwitch:
                        i += 4 + 4 * BitConverter.ToInt32(il, i);
                        break;
                    default: // InlineBrTarget, InlineI, ShortInlineR
                        i += 4;
                        break;
                }
            }
        }
    }
}
