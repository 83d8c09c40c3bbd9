using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// The distribution's automatic security updates: unattended-upgrades on Debian/Ubuntu,
/// dnf-automatic limited to security updates on Fedora/RHEL. With --no-auto-updates nothing is
/// installed, written or turned off.
/// </summary>
public sealed class AutoUpdatesStep : Step
{
    public override string Name => "Security updates";

    private static AutoUpdates Of(SetupContext context) => new(context.Shell, context.Facts.Family, context.Facts.HasSystemd);

    public override IEnumerable<string> Describe(SetupContext context)
    {
        if (!context.Settings.AutoUpdates) return ["(--no-auto-updates: the system's automatic updates are left as they are)"];
        var updates = Of(context);
        return
        [
            "run " + SystemPackages.InstallCommand(context.Facts.Family, [updates.Package]),
            .. updates.Config.Describe(),
            .. context.Facts.Family == Family.Debian || !context.Facts.HasSystemd ? [] : new[] { $"run systemctl enable --now {AutoUpdates.FedoraTimer}" },
        ];
    }

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (!context.Settings.AutoUpdates) return null;
        var updates = Of(context);
        if (!await updates.InstalledAsync(cancellationToken)) return $"{updates.Package} is not installed";
        if (updates.Config.Difference() is { } difference) return difference;
        if (context.Facts.Family == Family.Fedora && context.Facts.HasSystemd
            && !(await context.Shell.RunAsync("systemctl", ["is-enabled", "--quiet", AutoUpdates.FedoraTimer], cancellationToken)).Ok)
            return $"{AutoUpdates.FedoraTimer} is not enabled";
        return null;
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var updates = Of(context);
        if (!await updates.InstalledAsync(cancellationToken))
            await SystemPackages.InstallAsync(context.Shell, context.Facts.Family, [updates.Package], cancellationToken);
        if (updates.Config.Difference() is not null) await updates.Config.WriteAsync(context.Shell, cancellationToken);
        if (context.Facts.Family == Family.Fedora && context.Facts.HasSystemd)
            await context.Shell.MustAsync("systemctl", ["enable", "--now", AutoUpdates.FedoraTimer], cancellationToken);
    }
}
