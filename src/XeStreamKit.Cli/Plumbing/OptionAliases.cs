namespace XeStreamKit.Cli.Plumbing;

/// <summary>
/// The option spellings of earlier releases, accepted for one more release with a warning and
/// rewritten to today's before parsing, so help shows only the one vocabulary (README, "Options").
/// </summary>
public static class OptionAliases
{
    /// <summary>(command path, old spelling, new spelling).</summary>
    public static IReadOnlyList<(string Command, string Old, string New)> All { get; } =
    [
        ("inspect", "--device", "--qemu-device"),
        ("validate", "--device", "--qemu-device"),
        ("compat", "--device", "--qemu-device"),
        ("qemu extract", "--device", "--qemu-device"),
        ("qemu inject", "--device", "--qemu-device"),
        ("demo", "--keep", "--output"),
        ("conformance fuzz", "--out", "--output"),
        ("conformance throughput", "--sizes", "--chunk"),
        ("bench", "--size", "--lmem"),
        ("bench", "--dir", "--temp-dir"),
    ];

    private static readonly string[] Groups = ["qemu", "conformance", "corpus"];

    /// <summary><paramref name="args"/> with old spellings replaced, warning once for each on
    /// <paramref name="warnings"/>.</summary>
    public static string[] Rewrite(string[] args, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(warnings);
        var command = CommandOf(args);
        var rules = All.Where(a => a.Command == command).ToList();
        if (rules.Count == 0) return args;
        var result = (string[])args.Clone();
        var warned = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < result.Length; i++)
        {
            if (result[i] == "--") break;
            foreach (var (_, old, now) in rules)
            {
                string? replaced = result[i] == old ? now
                    : result[i].StartsWith(old + "=", StringComparison.Ordinal) ? now + result[i][old.Length..]
                    : null;
                if (replaced is null) continue;
                result[i] = replaced;
                if (warned.Add(old)) warnings.WriteLine($"xsk: warning: {command} {old} is now {now}; the old spelling goes in the next release");
            }
        }
        return result;
    }

    /// <summary>"qemu extract", "inspect": the verb (and subverb) named first on the line.</summary>
    private static string CommandOf(string[] args)
    {
        var words = args.TakeWhile(a => a != "--").Where(a => !a.StartsWith('-')).Take(2).ToList();
        if (words.Count == 0) return "";
        return Groups.Contains(words[0]) && words.Count > 1 ? $"{words[0]} {words[1]}" : words[0];
    }
}
