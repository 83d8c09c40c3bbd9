using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// SELinux, only where it is enforcing: Apache may connect to the app's port (labelled
/// http_port_t, plus the boolean that allows exactly that) and the file labels are right on the
/// real paths (restorecon does not follow symlinks). Never disables SELinux.
/// </summary>
public sealed class SelinuxStep : Step
{
    public override string Name => "SELinux";

    public static IEnumerable<string[]> Commands(SetupContext context)
    {
        foreach (var port in Ports(context))
            yield return ["semanage", "port", "-a", "-t", "http_port_t", "-p", "tcp", port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        yield return ["setsebool", "-P", "httpd_graceful_shutdown", "1"];
        if (context.Settings.Acme is not null)
        {
            // mod_md connects out to the CA and writes its note as Apache's domain.
            yield return ["setsebool", "-P", AcmeBoolean(context), "1"];
            yield return ["semanage", "fcontext", "-a", "-t", "httpd_sys_rw_content_t", AcmeSettings.NoteDirectory + "(/.*)?"];
        }
        foreach (var path in LabelledPaths(context))
            yield return ["restorecon", "-R", path];
    }

    /// <summary>
    /// What lets Apache reach the CA: httpd_can_network_relay covers the HTTP ports (a CA on 443,
    /// as Let's Encrypt is); a CA on another port needs httpd_can_network_connect.
    /// </summary>
    public static string AcmeBoolean(SetupContext context) =>
        Uri.TryCreate(context.Settings.Acme?.Ca, UriKind.Absolute, out var ca) && ca.Port is 443 or 80 or 8443
            ? "httpd_can_network_relay" : "httpd_can_network_connect";

    /// <summary>The ports Apache connects to: every instance's, in both slots, and the other app hosts'.</summary>
    private static IEnumerable<int> Ports(SetupContext context) =>
        ReleaseStore.SlotPorts.SelectMany(s => ReleaseStore.Ports(s, context.Settings.Instances))
            .Concat(context.Settings.AppHosts.Select(h => h.Port)).Distinct();

    /// <summary>The canonical paths to relabel: symlinks resolved, as semanage and restorecon need (every release is a real directory under the app root).</summary>
    public static IEnumerable<string> LabelledPaths(SetupContext context) =>
        new[] { context.Layout.AppRoot, context.Layout.StaticRoot, context.Layout.DataDirectory, context.Layout.ConfigDirectory }
            .Concat(context.Settings.Acme is null ? [] : [AcmeSettings.NoteDirectory, context.Layout.MdStore])
            .Select(RealPath.Of);

    public override IEnumerable<string> Describe(SetupContext context) => context.Facts.SelinuxEnforcing
        ? Commands(context).Select(c => "run " + ShellExtensions.Format(c[0], c[1..]))
        : ["(SELinux is not enforcing here: nothing to do)"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (!context.Facts.SelinuxEnforcing) return null;
        var boolean = await context.Shell.RunAsync("getsebool", ["httpd_graceful_shutdown"], cancellationToken);
        if (!SelinuxFacts.BooleanIsOn(boolean.Output, "httpd_graceful_shutdown")) return "httpd_graceful_shutdown is off";
        if (context.Settings.Acme is not null)
        {
            var name = AcmeBoolean(context);
            var acme = await context.Shell.RunAsync("getsebool", [name], cancellationToken);
            if (!SelinuxFacts.BooleanIsOn(acme.Output, name)) return $"{name} is off (mod_md cannot reach the CA)";
        }
        var ports = await context.Shell.RunAsync("semanage", ["port", "-l", "-C"], cancellationToken);
        if (Ports(context).FirstOrDefault(p => !SelinuxFacts.PortIsHttp(ports.Output, p)) is var port and > 0) return $"port {port} is not labelled http_port_t";
        foreach (var path in LabelledPaths(context))
        {
            var dry = await context.Shell.RunAsync("restorecon", ["-Rn", "-v", path], cancellationToken);
            if (dry.Output.Contains("Would relabel", StringComparison.Ordinal)) return $"{path} has wrong labels";
        }
        return null;
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        foreach (var command in Commands(context))
        {
            var result = await context.Shell.RunAsync(command[0], command[1..], cancellationToken);
            // "already defined" means an earlier run labelled the port or the path: that is the goal.
            if (!result.Ok && !(command[0] == "semanage" && result.Error.Contains("already defined", StringComparison.Ordinal)))
                throw new ServerException($"`{ShellExtensions.Format(command[0], command[1..])}` failed:{Environment.NewLine}{result.Tail()}");
        }
    }
}
