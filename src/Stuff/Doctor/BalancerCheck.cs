using System.Net;
using System.Net.Sockets;
using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>
/// Behind Apache's balancer, every member answers, this host's instances and the app hosts
/// elsewhere alike; and several hosts share one key ring, or each refuses the others' logins.
/// </summary>
public sealed class BalancerCheck : DoctorCheck
{
    private const string Id = "balancer";
    private const string Name = "Balancer members";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        if (context.Site is not { BalancerMembers.Count: > 0 } site)
            return [Finding.Skipped(Id, Name, "Apache's site has no balancer (one instance)")];

        var findings = new List<Finding>();
        var down = new List<(string Member, string Why)>();
        foreach (var member in site.BalancerMembers)
        {
            var answer = await Readiness.AskAsync(member.TrimEnd('/') + context.Options.NormalizedBasePath, cancellationToken);
            if (answer.IsReady) continue;
            down.Add((member, answer switch
            {
                { Status: { } status } => $"answers {status}: {Readiness.Detail(answer.Body)}",
                { Failure: ReadyFailure.Refused } => "nothing listens there",
                { Failure: ReadyFailure.TimedOut } => $"did not answer within {Readiness.Timeout.TotalSeconds:0} s",
                _ => answer.Message ?? "cannot be reached",
            }));
        }

        if (down.Count == 0)
            findings.Add(Finding.Ok(Id, Name, $"all {site.BalancerMembers.Count} answer ready: {string.Join(", ", site.BalancerMembers)}"));
        else
        {
            var summary = $"{down.Count} of {site.BalancerMembers.Count} not ready: {string.Join("; ", down.Select(d => $"{d.Member} {d.Why}"))}";
            var cause = down.Count == site.BalancerMembers.Count
                ? "Apache has no member left to send requests to, so every page through it fails with 503"
                : "Apache sends their share to the others (and asks a failed member again every 5 s), so the site serves with less capacity";
            var fix = string.Join("\n", down.Select(d => Fix(context, d.Member)));
            findings.Add(down.Count == site.BalancerMembers.Count
                ? Finding.Failed(Id, Name, summary, cause, fix)
                : Finding.Warning(Id, Name, summary, cause, fix));
        }

        var elsewhere = site.BalancerMembers.Where(m => !IsLocal(m)).ToList();
        if (elsewhere.Count > 0)
        {
            findings.Add(context.Options.KeysInDatabase
                ? Finding.Ok("shared-keys", "Shared key ring", $"STUFF_KEYS=database: the app hosts ({string.Join(", ", elsewhere)}) accept each other's logins and forms")
                : Finding.Failed("shared-keys", "Shared key ring", $"the balancer sends requests to other hosts ({string.Join(", ", elsewhere)}), but this host keeps its keys in its own files",
                    "each host signs cookies and form tokens with its own keys, so a person whose next request lands on another host is logged out and their form is refused",
                    $"set STUFF_KEYS=database in {context.EnvFilePath} here and on every app host, then restart each: {context.RestartApp} (setup with --app-host does it here)"));
        }
        return findings;
    }

    private static bool IsLocal(string member) => Uri.TryCreate(member, UriKind.Absolute, out var uri) && ReleaseStore.IsInstanceAddress(uri);

    private static string Fix(DoctorContext context, string member)
    {
        if (IsLocal(member)) return $"{member}: {context.StartAppOn(new Uri(member).Port)}";
        var address = Uri.TryCreate(member, UriKind.Absolute, out var uri) ? uri.Authority : member;
        return $"{member}: on that host, start the app listening on {address} (stuff serve --urls {member}, or its service) and check its own doctor; "
            + $"from here, `curl -sS {member}{context.Options.NormalizedBasePath}/healthz` must answer (a firewall or a wrong address otherwise)";
    }
}
