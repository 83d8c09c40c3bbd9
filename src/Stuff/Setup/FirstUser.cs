using Stuff.Server;

namespace Stuff.Setup;

/// <summary>Whether the site still has no active superuser, so setup's closing hint to create one is still worth printing.</summary>
public static class FirstUser
{
    /// <summary>The hint, in a form a minimal server runs (no sudo: `stuff` drops to the service user itself).</summary>
    public const string Hint = "Next: create the first user with  stuff createsuperuser";

    public static async Task<bool> NeededAsync(SetupContext context, CancellationToken cancellationToken)
    {
        const string sql = """SELECT EXISTS (SELECT 1 FROM "AspNetUsers" WHERE "IsSuperuser" AND "IsActive")""";
        var answer = await context.Shell.TryRunAsync("runuser", ["-u", "postgres", "--", "psql", "-XtA", "-d", Layout.Database, "-c", sql], cancellationToken);
        // Not known (the query failed): the hint does no harm.
        return answer is not { Ok: true } || answer.Output.Trim() != "t";
    }
}
