using System.Globalization;

namespace Stuff.Server;

/// <summary>What the host firewall does to the site's ports: which firewall is active (null: none) and which of the ports it blocks.</summary>
public sealed record FirewallState(string? Name, IReadOnlyList<int> Blocked)
{
    public static readonly FirewallState None = new(null, []);

    public bool BlocksAny => Blocked.Count > 0;

    /// <summary>The blocked ports as a sentence says them: "80/tcp and 443/tcp".</summary>
    public string BlockedText => Ports(Blocked);

    public static string Ports(IEnumerable<int> ports) => string.Join(" and ", ports.Select(p => $"{p}/tcp"));
}

/// <summary>
/// The host firewall that setup opens and the doctor reads: firewalld (Fedora/RHEL, and wherever
/// it runs) or ufw (Debian/Ubuntu), whichever is active. Only HTTP and HTTPS are opened, nothing
/// else; a host without an active firewall is left alone.
/// </summary>
public sealed class Firewall(IShell shell)
{
    private static readonly Dictionary<string, string> English = new() { ["LC_ALL"] = "C" };

    /// <summary>The ports the site answers on: HTTP (the redirect, ACME's http-01) and HTTPS.</summary>
    public static readonly int[] WebPorts = [80, 443];

    /// <summary>Which firewall is active and what it blocks; reading ufw's rules takes root.</summary>
    public async Task<FirewallState> ExamineAsync(CancellationToken cancellationToken)
    {
        var firewalld = await shell.TryRunAsync("firewall-cmd", ["--state"], cancellationToken);
        if (firewalld is { Ok: true })
        {
            var services = await shell.MustAsync("firewall-cmd", ["--list-services"], cancellationToken);
            var ports = await shell.MustAsync("firewall-cmd", ["--list-ports"], cancellationToken);
            return new("firewalld", FirewallFacts.FirewalldBlocked(services.Output, ports.Output));
        }
        var ufw = await shell.TryRunAsync("ufw", ["status", "verbose"], cancellationToken, English);
        if (ufw is { Ok: true } && FirewallFacts.UfwActive(ufw.Output))
            return new("ufw", FirewallFacts.UfwBlocked(ufw.Output));
        return FirewallState.None;
    }

    /// <summary>The commands that open what the firewall blocks, as setup runs them.</summary>
    public static IReadOnlyList<string[]> OpenCommands(FirewallState state) => state.Name switch
    {
        "firewalld" =>
        [
            .. state.Blocked.Select(p => new[] { "firewall-cmd", "--permanent", $"--add-service={ServiceName(p)}" }),
            ["firewall-cmd", "--reload"],
        ],
        "ufw" => [.. state.Blocked.Select(p => new[] { "ufw", "allow", $"{p}/tcp" })],
        _ => [],
    };

    /// <summary>The same commands as a person types them.</summary>
    public static string OpenCommandLine(FirewallState state) =>
        string.Join(" && ", OpenCommands(state).Select(c => "sudo " + ShellExtensions.Format(c[0], c[1..])));

    public async Task OpenAsync(FirewallState state, CancellationToken cancellationToken)
    {
        foreach (var command in OpenCommands(state)) await shell.MustAsync(command[0], command[1..], cancellationToken);
    }

    private static string ServiceName(int port) => port == 443 ? "https" : "http";
}

/// <summary>Reading firewalld's and ufw's answers.</summary>
public static class FirewallFacts
{
    /// <summary>`ufw status verbose` says "Status: active" (in English: ufw is run with the C locale).</summary>
    public static bool UfwActive(string status) =>
        status.Split('\n').Any(l => l.Trim() == "Status: active");

    /// <summary>
    /// The web ports an active ufw blocks: those without an ALLOW rule for incoming TCP, unless its
    /// default for incoming is allow. Rules name ports (80, 80/tcp, 80,443/tcp, 79:81/tcp) or
    /// Apache's application profiles (Apache, Apache Full, Apache Secure, WWW ...).
    /// </summary>
    public static IReadOnlyList<int> UfwBlocked(string status)
    {
        var lines = status.Split('\n').Select(l => l.Trim()).ToList();
        if (lines.Any(l => l.StartsWith("Default:", StringComparison.Ordinal) && l.Contains("allow (incoming)", StringComparison.Ordinal))) return [];
        var allowed = new HashSet<int>();
        foreach (var line in lines)
        {
            var action = line.IndexOf(" ALLOW", StringComparison.Ordinal);
            if (action <= 0 || line.Contains("ALLOW OUT", StringComparison.Ordinal)) continue;
            var target = line[..action].Trim();
            if (target.EndsWith(" (v6)", StringComparison.Ordinal)) target = target[..^" (v6)".Length];
            allowed.UnionWith(UfwPorts(target));
        }
        return [.. Firewall.WebPorts.Where(p => !allowed.Contains(p))];
    }

    private static IEnumerable<int> UfwPorts(string target) => target switch
    {
        "Apache" or "WWW" => [80],
        "Apache Secure" or "WWW Secure" => [443],
        "Apache Full" or "WWW Full" => [80, 443],
        _ => Ports(target),
    };

    /// <summary>Ports of a rule like 80, 80/tcp, 80,443/tcp or 8000:8100/tcp (not udp).</summary>
    private static IEnumerable<int> Ports(string target)
    {
        var slash = target.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0 && target[(slash + 1)..] != "tcp") yield break;
        foreach (var part in (slash >= 0 ? target[..slash] : target).Split(','))
        {
            var range = part.Split(':');
            if (!range.All(r => int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out _))) continue;
            var from = int.Parse(range[0], CultureInfo.InvariantCulture);
            var to = int.Parse(range[^1], CultureInfo.InvariantCulture);
            foreach (var port in Firewall.WebPorts.Where(p => p >= from && p <= to)) yield return port;
        }
    }

    /// <summary>The web ports firewalld's default zone does not open (`--list-services`, `--list-ports`).</summary>
    public static IReadOnlyList<int> FirewalldBlocked(string services, string ports)
    {
        var names = services.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var open = ports.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).SelectMany(Ports).ToHashSet();
        if (names.Contains("http")) open.Add(80);
        if (names.Contains("https")) open.Add(443);
        return [.. Firewall.WebPorts.Where(p => !open.Contains(p))];
    }
}
