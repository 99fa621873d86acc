using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace XeStreamKit.Generators.Ksy;

/// <summary>
/// Translates the integer subset of the Kaitai expression language used in <c>size:</c> into a
/// C# <c>ulong</c> expression: field paths, integer literals, + - * / % &amp; | ^ &lt;&lt; &gt;&gt;
/// and parentheses, with Kaitai's (Python's) precedence. The output is fully parenthesised and
/// unchecked. Anything else is an error.
/// </summary>
internal static class KsyExpression
{
    /// <summary>Translates <paramref name="text"/>; <paramref name="resolve"/> maps a dotted field
    /// path to a C# expression (or null if it names nothing).</summary>
    public static string Translate(string text, Func<string, string?> resolve, out string? error)
    {
        error = null;
        var tokens = Tokenize(text, ref error);
        if (error is not null) return "";
        var pos = 0;
        var result = ParseBinary(tokens, ref pos, 0, resolve, ref error);
        if (error is null && pos != tokens.Count) error = $"unexpected '{tokens[pos]}' in expression '{text}'";
        return error is null ? "unchecked(" + result + ")" : "";
    }

    private static readonly string[][] Levels =
    {
        new[] { "|" },
        new[] { "^" },
        new[] { "&" },
        new[] { "<<", ">>" },
        new[] { "+", "-" },
        new[] { "*", "/", "%" },
    };

    private static string ParseBinary(List<string> t, ref int pos, int level, Func<string, string?> resolve, ref string? error)
    {
        if (level == Levels.Length) return ParsePrimary(t, ref pos, resolve, ref error);
        var left = ParseBinary(t, ref pos, level + 1, resolve, ref error);
        while (error is null && pos < t.Count && Array.IndexOf(Levels[level], t[pos]) >= 0)
        {
            var op = t[pos++];
            var right = ParseBinary(t, ref pos, level + 1, resolve, ref error);
            // Shift counts are int in C#.
            left = op is "<<" or ">>" ? $"({left} {op} (int)({right}))" : $"({left} {op} {right})";
        }
        return left;
    }

    private static string ParsePrimary(List<string> t, ref int pos, Func<string, string?> resolve, ref string? error)
    {
        if (pos >= t.Count)
        {
            error = "expression ends unexpectedly";
            return "";
        }
        var token = t[pos++];
        if (token == "(")
        {
            var inner = ParseBinary(t, ref pos, 0, resolve, ref error);
            if (error is null && (pos >= t.Count || t[pos++] != ")")) error = "missing ')'";
            return inner;
        }
        if (char.IsDigit(token[0]))
        {
            if (!YamlMap.TryParseInteger(token, out var value) || value < 0)
            {
                error = $"'{token}' is not a supported integer literal";
                return "";
            }
            return value.ToString(CultureInfo.InvariantCulture) + "UL";
        }
        if (char.IsLetter(token[0]) || token[0] == '_')
        {
            var resolved = resolve(token);
            if (resolved is null) error = $"'{token}' does not name an integer field here";
            return resolved ?? "";
        }
        error = $"'{token}' is not supported in a size expression";
        return "";
    }

    private static List<string> Tokenize(string text, ref string? error)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (char.IsLetterOrDigit(c) || c == '_')
            {
                var sb = new StringBuilder();
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                    sb.Append(text[i++]);
                tokens.Add(sb.ToString());
                continue;
            }
            if (i + 1 < text.Length && (text.Substring(i, 2) is "<<" or ">>"))
            {
                tokens.Add(text.Substring(i, 2));
                i += 2;
                continue;
            }
            if ("+-*/%&|^()".IndexOf(c) >= 0)
            {
                tokens.Add(c.ToString());
                i++;
                continue;
            }
            error = $"'{c}' is not supported in a size expression";
            return tokens;
        }
        if (tokens.Count == 0) error = "empty expression";
        return tokens;
    }
}
