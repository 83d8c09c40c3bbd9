using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>
/// SELinux, only where it is enforcing: Apache may connect to the app's port, files carry the
/// labels Apache and systemd need, no local rule names a path through a symlink, and the audit
/// log has no recent denial for Apache or the app.
/// </summary>
public sealed class SelinuxCheck : DoctorCheck
{
    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        if (!context.Facts.SelinuxEnforcing)
            return [Finding.Skipped("selinux", "SELinux", "not enforcing on this host")];
        if (!context.IsRoot)
            return [Finding.Skipped("selinux", "SELinux", "needs root: run sudo stuff doctor")];
        return
        [
            await ProxyAsync(context, cancellationToken),
            .. await LabelsAsync(context, cancellationToken),
            await SymlinkRulesAsync(context, cancellationToken),
            await DenialsAsync(context, cancellationToken),
        ];
    }

    private static async Task<Finding> ProxyAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        const string id = "selinux-proxy";
        const string name = "SELinux: Apache to the app";
        var port = context.AppAddress.Port;
        var booleans = (await context.Shell.RunAsync("getsebool", ["httpd_can_network_connect", "httpd_graceful_shutdown", "httpd_can_network_relay"], cancellationToken)).Output;
        var ports = (await context.Shell.RunAsync("semanage", ["port", "-l"], cancellationToken)).Output;
        var anyPort = SelinuxFacts.BooleanIsOn(booleans, "httpd_can_network_connect");
        var httpPort = SelinuxFacts.PortIsHttp(ports, port);
        var httpPortsAllowed = SelinuxFacts.BooleanIsOn(booleans, "httpd_graceful_shutdown") || SelinuxFacts.BooleanIsOn(booleans, "httpd_can_network_relay");
        if (anyPort) return Finding.Ok(id, name, "httpd_can_network_connect is on (Apache may connect to any port)");
        if (httpPort && httpPortsAllowed) return Finding.Ok(id, name, $"port {port} is http_port_t and Apache may connect to http_port_t");

        var fixes = new List<string>();
        if (!httpPort) fixes.Add($"sudo semanage port -a -t http_port_t -p tcp {port}   (\"already defined\" means another type has it: use -m instead of -a)");
        if (!httpPortsAllowed) fixes.Add("sudo setsebool -P httpd_graceful_shutdown 1");
        return Finding.Failed(id, name,
            httpPort ? "httpd_graceful_shutdown and httpd_can_network_relay are off" : $"port {port} is not labelled http_port_t",
            $"the policy denies Apache's connection to the app on port {port}, so every page answers 503 (the audit log shows name_connect denials)",
            string.Join("\n", fixes) + "\n(or, broader: sudo setsebool -P httpd_can_network_connect 1; never setenforce 0)");
    }

    private static async Task<IEnumerable<Finding>> LabelsAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var layout = context.Layout;
        (string Id, string Name, string Path, string[] Types, string Why)[] expected =
        [
            ("selinux-static", "SELinux: static files", RealPath.Of(layout.StaticRoot), ["httpd_sys_content_t", "httpd_sys_ro_content_t"], "Apache may read only files labelled for it: stylesheets answer 403"),
            ("selinux-executable", "SELinux: executable", RealPath.Of(layout.Executable), ["bin_t"], "systemd may start only executables labelled bin_t: the service fails with 203/EXEC"),
        ];
        var findings = new List<Finding>();
        foreach (var (id, name, path, types, why) in expected)
        {
            var listing = await context.Shell.RunAsync("ls", ["-dZ", path], cancellationToken);
            var type = SelinuxFacts.LabelType(listing.Output);
            var dry = await context.Shell.RunAsync("restorecon", ["-Rnv", path], cancellationToken);
            var relabel = SelinuxFacts.WouldRelabel(dry.Output);
            if (type is not null && types.Contains(type) && relabel.Count == 0)
            {
                findings.Add(Finding.Ok(id, name, $"{path} is {type}"));
                continue;
            }
            if (relabel.Count > 0 && relabel.All(r => types.Contains(r.To) || r.Path != path))
            {
                var example = relabel.FirstOrDefault(r => r.Path == path, relabel[0]);
                findings.Add(Finding.Failed(id, name, $"{relabel.Count} path(s) under {path} carry the wrong label ({example.Path} is {example.From}, should be {example.To})",
                    why + "; files moved with mv keep the label of where they came from", $"sudo restorecon -Rv {path}"));
                continue;
            }
            findings.Add(Finding.Failed(id, name, $"{path} is {type ?? "unlabelled"}, not {types[0]}",
                why + "; no file-context rule gives this path that type",
                $"sudo semanage fcontext -a -t {types[0]} '{path}(/.*)?' && sudo restorecon -Rv {path}"));
        }
        return findings;
    }

    private static async Task<Finding> SymlinkRulesAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        const string id = "selinux-rules";
        const string name = "SELinux: local rules";
        var rules = SelinuxFacts.LocalRules((await context.Shell.RunAsync("semanage", ["fcontext", "-l", "-C"], cancellationToken)).Output);
        var broken = rules
            .Select(r => (r.Pattern, r.Type, Prefix: SelinuxFacts.LiteralPrefix(r.Pattern)))
            .Select(r => (r.Pattern, r.Type, r.Prefix, Real: RealPath.Of(r.Prefix)))
            .Where(r => r.Real != r.Prefix)
            .ToList();
        if (broken.Count == 0) return Finding.Ok(id, name, $"{rules.Count} local rule(s), none through a symlink");
        var (pattern, type, prefix, real) = broken[0];
        var realPattern = real + pattern[prefix.Length..];
        return Finding.Failed(id, name, $"the rule '{pattern}' names {prefix}, which is a symlink to {real}",
            "labels belong to real paths: restorecon does not follow symlinks, so the files under the real path keep their old labels",
            $"sudo semanage fcontext -d '{pattern}' && sudo semanage fcontext -a -t {type} '{realPattern}' && sudo restorecon -Rv {real}");
    }

    private static async Task<Finding> DenialsAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        const string id = "selinux-denials";
        const string name = "SELinux: recent denials";
        var search = await context.Shell.TryRunAsync("ausearch", ["-m", "AVC,USER_AVC", "-ts", "recent"], cancellationToken);
        if (search is null) return Finding.Skipped(id, name, "ausearch is not installed (package audit)");
        var denials = SelinuxFacts.Denials(search.Output)
            .Where(d => d.SourceType.StartsWith("httpd", StringComparison.Ordinal) || d.Command is "httpd" or "stuff" || d.Path?.Contains("/stuff", StringComparison.Ordinal) == true)
            .ToList();
        if (denials.Count == 0) return Finding.Ok(id, name, "none for Apache or the app in the last 10 minutes");

        var fixes = denials.Select(d => Fix(context, d)).Distinct().ToList();
        return Finding.Failed(id, name, $"{denials.Count} denial(s) in the last 10 minutes",
            string.Join("\n", denials.Select(d => d.ToString()).Distinct()),
            string.Join("\n", fixes)) with
        { Details = ["more: sudo ausearch -m AVC -ts recent | audit2why"] };
    }

    public static string Fix(DoctorContext context, Denial denial)
    {
        if (denial.Permission.Contains("name_connect", StringComparison.Ordinal) && denial.Port is { } port)
            return port == context.AppAddress.Port
                ? $"sudo semanage port -a -t http_port_t -p tcp {port} && sudo setsebool -P httpd_graceful_shutdown 1"
                : $"Apache tried port {port}, but the app listens on {context.AppAddress.Port}: make ProxyPass in {context.Layout.ApacheSiteFile} point there";
        if (denial.Path is { } path && path.StartsWith('/'))
        {
            var directory = RealPath.Of(Path.GetDirectoryName(path) ?? path);
            return denial.SourceType.StartsWith("httpd", StringComparison.Ordinal)
                ? $"sudo restorecon -Rv {directory}   (if it stays {denial.TargetType}: sudo semanage fcontext -a -t httpd_sys_content_t '{directory}(/.*)?' && sudo restorecon -Rv {directory})"
                : $"sudo restorecon -Rv {directory}";
        }
        return "sudo ausearch -m AVC -ts recent | audit2why   (says which rule or boolean would allow it)";
    }
}
