using Stuff.Server;

namespace Stuff.Setup;

/// <summary>Apache, PostgreSQL and the tools setup calls, from the distribution's packages.</summary>
public sealed class PackagesStep : Step
{
    public override string Name => "Packages";

    public override IEnumerable<string> Describe(SetupContext context) => context.Facts.Family == Family.Debian
        ? ["run apt-get update", $"run apt-get install -y {string.Join(' ', context.Layout.Packages)}"]
        : [$"run dnf install -y {string.Join(' ', context.Layout.Packages)}"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var package in context.Layout.Packages)
        {
            var installed = context.Facts.Family == Family.Debian
                ? await context.Shell.TryRunAsync("dpkg-query", ["-W", "-f=${Status}", package], cancellationToken) is { Ok: true } r && r.Output.Contains("install ok installed")
                : await context.Shell.TryRunAsync("rpm", ["-q", package], cancellationToken) is { Ok: true };
            if (!installed) missing.Add(package);
        }
        return missing.Count == 0 ? null : "not installed: " + string.Join(", ", missing);
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.Family == Family.Debian)
        {
            await context.Shell.MustAsync("apt-get", ["update", "-q"], cancellationToken);
            await context.Shell.MustAsync("apt-get", ["install", "-y", "-q", .. context.Layout.Packages], cancellationToken);
        }
        else
        {
            await context.Shell.MustAsync("dnf", ["install", "-y", "-q", .. context.Layout.Packages], cancellationToken);
        }
    }
}
