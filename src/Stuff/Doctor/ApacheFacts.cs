using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Stuff.Server;

namespace Stuff.Doctor;

public enum ProxyFailureKind { None, Refused, Denied, NoHandler }

/// <summary>Reading Apache's output by its AH codes and errno, not by wording.</summary>
public static class ApacheFacts
{
    /// <summary>The line naming the file and line, and the line after it with the complaint.</summary>
    public static string ConfigTestError(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#')).ToList();
        var at = lines.FindIndex(l => l.Contains("AH00526", StringComparison.Ordinal));
        if (at >= 0) return string.Join(" ", lines.Skip(at).Take(2));
        return string.Join(" ", lines.Where(l => !l.StartsWith("Action '", StringComparison.Ordinal) && !l.StartsWith("The Apache error log", StringComparison.Ordinal)).Take(3));
    }

    public static string WhatModuleDoes(string module) => module switch
    {
        "proxy" => "proxy: without it Apache cannot pass requests to the app",
        "proxy_http" => "proxy_http: without it every page answers 500 (no handler for http:// targets)",
        "headers" => "headers: without it the site's Header and RequestHeader lines are errors",
        "ssl" => "ssl: without it there is no HTTPS",
        "alias" => "alias: without it static files are not served from disk",
        _ => module,
    };

    /// <summary>What the newest proxy error in the error log says: refused (errno 111), denied (errno 13), or no handler (AH01144).</summary>
    public static ProxyFailureKind ProxyFailure(IEnumerable<string> errorLog)
    {
        foreach (var line in errorLog.Reverse())
        {
            if (line.Contains("AH01144", StringComparison.Ordinal)) return ProxyFailureKind.NoHandler;
            if (line.Contains("AH00957", StringComparison.Ordinal) || line.Contains("AH01114", StringComparison.Ordinal))
            {
                if (line.Contains("(13)", StringComparison.Ordinal)) return ProxyFailureKind.Denied;
                if (line.Contains("(111)", StringComparison.Ordinal)) return ProxyFailureKind.Refused;
            }
        }
        return ProxyFailureKind.None;
    }
}
