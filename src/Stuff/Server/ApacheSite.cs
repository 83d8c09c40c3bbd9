namespace Stuff.Server;

/// <summary>The parts of Apache's site file the doctor compares with the app's settings.</summary>
public sealed record ApacheSite(string Path, string? ServerName, string? CertificateFile, string? KeyFile, IReadOnlyList<(string Prefix, string Target)> Proxies,
    IReadOnlyList<string> BalancerMembers)
{
    public static ApacheSite? Read(string path)
    {
        if (!File.Exists(path)) return null;
        string? serverName = null, certificate = null, key = null;
        var proxies = new List<(string, string)>();
        var members = new List<string>();
        foreach (var raw in File.ReadLines(path))
        {
            var words = raw.Trim().Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || words[0].StartsWith('#')) continue;
            switch (words[0].ToLowerInvariant())
            {
                case "servername": serverName ??= words[1]; break;
                case "sslcertificatefile": certificate ??= words[1]; break;
                case "sslcertificatekeyfile": key ??= words[1]; break;
                case "proxypass" when words.Length >= 3 && words[2] != "!": proxies.Add((words[1], words[2])); break;
                case "balancermember": members.Add(words[1].Trim('"')); break;
            }
        }
        return new ApacheSite(path, serverName, certificate, key, proxies, members);
    }
}
