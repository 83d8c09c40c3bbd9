namespace Stuff.Configuration;

/// <summary>
/// KEY=VALUE lines, as env files, /etc/os-release and `systemctl show` write them: blank lines and
/// '#' comments skipped, an optional "export ", a value optionally in matching quotes; the last
/// line of a key wins.
/// </summary>
public static class KeyValueLines
{
    /// <summary>
    /// The keys and values. A line that is not KEY=VALUE is skipped, or given to
    /// <paramref name="malformed"/> with its number (from 1) and what is wrong, which may throw.
    /// </summary>
    public static Dictionary<string, string> Parse(IEnumerable<string> lines, Action<int, string>? malformed = null,
        StringComparer? keys = null)
    {
        var values = new Dictionary<string, string>(keys ?? StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line["export ".Length..].TrimStart();

            var eq = line.IndexOf('=');
            var key = eq > 0 ? line[..eq].Trim() : "";
            if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':'))
            {
                malformed?.Invoke(number, "expected KEY=VALUE (the key is letters, digits and '_').");
                continue;
            }

            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0])
                value = value[1..^1];
            else if (value.Length > 0 && (value[0] is '"' or '\''))
                malformed?.Invoke(number, $"the value of {key} opens a quote that is not closed.");
            values[key] = value;
        }
        return values;
    }
}
