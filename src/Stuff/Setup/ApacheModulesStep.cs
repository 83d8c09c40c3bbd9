using Stuff.Server;

namespace Stuff.Setup;

/// <summary>Debian enables few Apache modules; the site needs the proxy, balancer, headers and TLS ones.</summary>
public sealed class ApacheModulesStep : Step
{
    public override string Name => "Apache modules";

    public override IEnumerable<string> Describe(SetupContext context) => context.Facts.Family == Family.Debian
        ? [$"run a2enmod {string.Join(' ', Apache.ModulesFor(context.Settings.Acme is not null))}"]
        : ["(Fedora loads proxy, proxy_http, proxy_balancer, headers and ssl with the httpd and mod_ssl packages, md with mod_md)"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        // Fedora's packages load them all; only Debian's a2enmod has anything to change.
        if (context.Facts.Family != Family.Debian) return null;
        var missing = await context.Apache.MissingModulesAsync(context.Settings.Acme is not null, cancellationToken);
        return missing.Count == 0 ? null : "not enabled: " + string.Join(", ", missing);
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        await context.Shell.MustAsync("a2enmod", ["-q", .. Apache.ModulesFor(context.Settings.Acme is not null)], cancellationToken);
        context.ApacheReloadNeeded = true;
    }
}
