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

    [Fact]
    public async Task Reverts_to_an_earlier_migration_and_applies_it_again()
    {
        AssertSucceeded(await Stuff.RunAsync("migrate"));
        //#if (sample)
        var dumpFile = Path.Combine(DataDirectory, "seed.json");
        await File.WriteAllTextAsync(dumpFile, """{"format":"stuff-dump","version":1,"stuff":[{"id":5,"junk":"survives the round trip","things":"t","somenum":1}]}""");
        AssertSucceeded(await Stuff.RunAsync("loaddata", dumpFile));
        //#endif

        var revert = await Stuff.RunAsync("migrate", "--to", "Initial");

        AssertSucceeded(revert);
        Assert.Contains("Reverting", revert.Output);
        Assert.Contains("_AdminLog", revert.Output);
        var list = await Stuff.RunAsync("migrate", "--list");
        Assert.Matches(@"\[X\] \d+_Initial", list.Output);
        Assert.Matches(@"\[ \] \d+_AdminLog", list.Output);
        Assert.DoesNotMatch(@"\[X\] \d+_AdminLog", list.Output);

        AssertSucceeded(await Stuff.RunAsync("migrate"));
        //#if (sample)
        var dump = await Stuff.RunAsync("dumpdata");
        Assert.Contains("survives the round trip", dump.Output);
        //#endif
        var last = System.Text.RegularExpressions.Regex.Matches((await Stuff.RunAsync("migrate", "--list")).Output, @"\[X\] (\S+)")[^1].Groups[1].Value;
        Assert.Contains("Nothing to revert", (await Stuff.RunAsync("migrate", "--to", last)).Output);
    }

    [Theory]
    [InlineData("0", "cannot be reverted: it would drop every table")]
    [InlineData("NoSuchMigration", "This release has no migration 'NoSuchMigration'")]
    public async Task Refuses_to_revert_what_it_cannot_and_changes_nothing(string target, string message)
    {
        AssertSucceeded(await Stuff.RunAsync("migrate"));

        var result = await Stuff.RunAsync("migrate", "--to", target);

        AssertCleanFailure(result, message);
        Assert.Contains("Nothing was changed", result.Error);
        Assert.Contains("Nothing pending.", (await Stuff.RunAsync("migrate", "--list")).Output);
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
