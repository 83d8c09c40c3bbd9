using Npgsql;
using Stuff.Configuration;

using Stuff.Server;

namespace Stuff.Setup;

public sealed class CollectStaticStep : Step
{
    public override string Name => "Static files";

    public override IEnumerable<string> Describe(SetupContext context) => [context.DescribeRelease($"collectstatic --output {context.Layout.StaticRoot}") + "   (as root)"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var result = await context.Shell.RunAsync(context.ReleaseExecutable, ["collectstatic", "--check", "--output", context.Layout.StaticRoot], cancellationToken);
        return result.Ok ? null : result.Output.Trim();
    }

    // Files of the live release stay beside the new ones: its pages keep working until it stops.
    public override Task ApplyAsync(SetupContext context, CancellationToken cancellationToken) =>
        CollectAsync(context, context.ReleaseExecutable, cancellationToken);

    /// <summary>Copies a release's static files where Apache serves them.</summary>
    public static async Task CollectAsync(SetupContext context, string executable, CancellationToken cancellationToken)
    {
        await context.Shell.MustAsync(executable, ["collectstatic", "--output", context.Layout.StaticRoot], cancellationToken);
        await context.Shell.MustAsync("chown", ["-R", $"root:{Layout.DeployGroup}", context.Layout.StaticRoot], cancellationToken);
        await context.Shell.MustAsync("chmod", ["-R", "u=rwX,g=rwX,o=rX", context.Layout.StaticRoot], cancellationToken);
    }
}
