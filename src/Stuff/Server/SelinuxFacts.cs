namespace Stuff.Server;

/// <summary>Reading SELinux tools' output by key, not by exact wording.</summary>
public static class SelinuxFacts
{
    /// <summary>True when `getsebool` output has "NAME --> on".</summary>
    public static bool BooleanIsOn(string getseboolOutput, string name) =>
        getseboolOutput.Split('\n').Select(l => l.Split("-->", StringSplitOptions.TrimEntries))
            .Any(p => p.Length == 2 && p[0] == name && p[1] == "on");

    /// <summary>True when `semanage port -l` lists the port under http_port_t.</summary>
    public static bool PortIsHttp(string semanagePortList, int port) =>
        semanagePortList.Split('\n')
            .Where(l => l.StartsWith("http_port_t", StringComparison.Ordinal) && l.Contains("tcp", StringComparison.Ordinal))
            .SelectMany(l => l[(l.IndexOf("tcp", StringComparison.Ordinal) + 3)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Any(p => p.Split('-') is var range && int.TryParse(range[0], out var low)
                && (range.Length == 1 ? low == port : int.TryParse(range[1], out var high) && port >= low && port <= high));

    /// <summary>The type of an SELinux context such as unconfined_u:object_r:usr_t:s0, found in a line of `ls -Z` output.</summary>
    public static string? LabelType(string lsOutput) =>
        lsOutput.Split('\n').Where(l => !l.StartsWith('#'))
            .SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(w => w.Split(':'))
            .Where(p => p.Length >= 4 && p[1].EndsWith("_r", StringComparison.Ordinal))
            .Select(p => p[2])
            .FirstOrDefault();

    /// <summary>Paths `restorecon -Rnv` would relabel, with the type they have and the type the rules give.</summary>
    public static IReadOnlyList<(string Path, string From, string To)> WouldRelabel(string restoreconOutput) =>
        [.. restoreconOutput.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("Would relabel ", StringComparison.Ordinal))
            .Select(l => l["Would relabel ".Length..].Split(' '))
            .Where(w => w.Length >= 5 && w[^4] == "from" && w[^2] == "to")
            .Select(w => (string.Join(' ', w[..^4]), LabelType(w[^3]) ?? w[^3], LabelType(w[^1]) ?? w[^1]))];

    /// <summary>The local file-context rules from `semanage fcontext -l -C`: the path pattern and its type.</summary>
    public static IReadOnlyList<(string Pattern, string Type)> LocalRules(string semanageOutput) =>
        [.. semanageOutput.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith('/'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length >= 2)
            .Select(w => (w[0], LabelType(w[^1]) ?? w[^1]))];

    /// <summary>The literal directory a rule pattern starts with: /opt/stuff/wwwroot for /opt/stuff/wwwroot(/.*)?.</summary>
    public static string LiteralPrefix(string pattern)
    {
        var end = pattern.IndexOfAny(['(', '[', '*', '?', '+', '\\', '|', '.', '^', '$'], 1);
        // A '.' inside a name (stuff.d) is a regex wildcard too; stop before the segment that holds it.
        var prefix = end < 0 ? pattern : pattern[..end];
        var segmentEnds = end >= 0 && pattern[end] == '(' && end + 1 < pattern.Length && pattern[end + 1] == '/';
        if (end >= 0 && !segmentEnds && !prefix.EndsWith('/')) prefix = prefix[..(prefix.LastIndexOf('/') + 1)];
        return prefix.Length > 1 ? prefix.TrimEnd('/') : "/";
    }

    /// <summary>The AVC denials in `ausearch -m AVC` output.</summary>
    public static IReadOnlyList<Denial> Denials(string ausearchOutput) =>
        [.. ausearchOutput.Split('\n')
            .Where(l => l.Contains("avc:", StringComparison.Ordinal) && l.Contains("denied", StringComparison.Ordinal))
            .Select(Denial.Parse)];
}
