using Npgsql;
using Stuff.Configuration;

using Stuff.Server;

namespace Stuff.Setup;

public sealed class MigrateStep : Step
{
    public override string Name => "Database migrations";

    public override IEnumerable<string> Describe(SetupContext context) => [context.DescribeRelease("migrate")];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var (list, error) = await context.App.MigrationsAsync(context.ReleaseExecutable, cancellationToken);
        if (list is null) return "cannot list migrations: " + error;
        return list.Pending.Count == 0 ? null : $"{list.Pending.Count} migration(s) pending";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var result = await context.RunReleaseAsync(cancellationToken, "migrate");
        if (!result.Ok) throw new ServerException("stuff migrate failed:" + Environment.NewLine + result.Tail());
    }
}
