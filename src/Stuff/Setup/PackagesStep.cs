using Stuff.Server;

namespace Stuff.Setup;

/// <summary>Apache, PostgreSQL and the tools setup calls, from the distribution's packages.</summary>
public sealed class PackagesStep : Step
{
    public override string Name => "Packages";

    public override IEnumerable<string> Describe(SetupContext context) => context.Facts.Family == Family.Debian
        ? ["run apt-get update", "run " + SystemPackages.InstallCommand(Family.Debian, context.Packages)]
        : ["run " + SystemPackages.InstallCommand(context.Facts.Family, context.Packages)];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var package in context.Packages)
            if (!await SystemPackages.InstalledAsync(context.Shell, context.Facts.Family, package, cancellationToken)) missing.Add(package);
        return missing.Count == 0 ? null : "not installed: " + string.Join(", ", missing);
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.Family == Family.Debian) await context.Shell.MustAsync("apt-get", ["update", "-q"], cancellationToken);
        await SystemPackages.InstallAsync(context.Shell, context.Facts.Family, context.Packages, cancellationToken);
    }
}
