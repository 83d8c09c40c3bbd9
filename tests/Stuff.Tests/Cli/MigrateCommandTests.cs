using Stuff.Configuration;

namespace Stuff.Tests.Cli;

public abstract class MigrateCommandTests(DatabaseProvider provider) : CliTests(provider)
{
    [Fact]
    public async Task Lists_then_applies_then_has_nothing_to_do()
    {
        var before = await Stuff.RunAsync("migrate", "--list");
        AssertSucceeded(before);
        Assert.Contains("[ ] ", before.Output);
        Assert.Contains("pending; run: stuff migrate", before.Output);

        var apply = await Stuff.RunAsync("migrate");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Contains("Applying", apply.Output);
        Assert.Contains("_Initial", apply.Output);

        var again = await Stuff.RunAsync("migrate");
        AssertSucceeded(again);
        Assert.Contains("up to date", again.Output);

        var after = await Stuff.RunAsync("migrate", "--list");
        Assert.Contains("[X] ", after.Output);
        Assert.DoesNotContain("[ ] ", after.Output);
        Assert.Contains("Nothing pending.", after.Output);
    }
}

public sealed class MigrateCommandOnSqliteTests() : MigrateCommandTests(DatabaseProvider.Sqlite);

public sealed class MigrateCommandOnPostgresTests() : MigrateCommandTests(DatabaseProvider.Postgres)
{
    [Fact]
    public async Task An_unreachable_server_is_one_line_without_the_password()
    {
        var result = await Stuff.With("DATABASE_URL", "postgres://stuff:hunter2-secret@127.0.0.1:1/stuff").RunAsync("migrate");

        AssertCleanFailure(result, "stuff: error: database:");
        Assert.DoesNotContain("hunter2-secret", result.Error + result.Output);
    }

    [Fact]
    public async Task A_wrong_password_is_named_as_such()
    {
        var url = new Uri(Database.Url);
        var wrong = $"postgres://{url.UserInfo.Split(':')[0]}:wrong-secret@{url.Host}:{url.Port}{url.AbsolutePath}";

        var result = await Stuff.With("DATABASE_URL", wrong).RunAsync("migrate");

        AssertCleanFailure(result, "password authentication failed");
        Assert.DoesNotContain("wrong-secret", result.Error + result.Output);
    }
}
