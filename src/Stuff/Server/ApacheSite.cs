namespace Stuff.Server;

/// <summary>The parts of Apache's site file the doctor compares with the app's settings.</summary>
public sealed record ApacheSite(string Path, string? ServerName, string? CertificateFile, string? KeyFile, IReadOnlyList<(string Prefix, string Target)> Proxies,
    IReadOnlyList<string> BalancerMembers)
{
    /// <summary>A certificate mod_md manages (MDomain and its settings), or null for certificate files.</summary>
    public AcmeSettings? Acme { get; init; }

    /// <summary>The managed domain's name (MDomain), when there is one.</summary>
    public string? ManagedDomain { get; init; }

    public static ApacheSite? Read(string path)
    {
        if (!File.Exists(path)) return null;
        string? serverName = null, certificate = null, key = null;
        var proxies = new List<(string, string)>();
        var members = new List<string>();
        var md = new Dictionary<string, string>();
        foreach (var raw in File.ReadLines(path))
        {
            var words = raw.Trim().Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || words[0].StartsWith('#')) continue;
            var directive = words[0].ToLowerInvariant();
            switch (directive)
            {
                case "servername": serverName ??= words[1]; break;
                case "sslcertificatefile": certificate ??= words[1]; break;
                case "sslcertificatekeyfile": key ??= words[1]; break;
                case "proxypass" when words.Length >= 3 && words[2] != "!": proxies.Add((words[1], words[2])); break;
                case "balancermember": members.Add(words[1].Trim('"')); break;
                case var _ when directive.StartsWith("md", StringComparison.Ordinal): md.TryAdd(directive, words[1]); break;
            }
        }
        return new ApacheSite(path, serverName, certificate, key, proxies, members)
        {
            Acme = AcmeSettings.InSite(md),
            ManagedDomain = md.GetValueOrDefault("mdomain"),
        };
    }
}
