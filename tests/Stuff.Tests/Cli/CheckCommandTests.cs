using Stuff.Configuration;

namespace Stuff.Tests.Cli;

public sealed class CheckCommandTests() : CliTests(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task A_good_configuration_has_no_problems()
    {
        await MigratedAsync();

        var result = await Stuff.RunAsync("check");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("No problems found.", result.Output);
    }

    [Fact]
    public async Task Every_bad_setting_is_listed()
    {
        var result = await Stuff.With("DATABASE_URL", "mysql://root:topsecret@db/stuff").With("STUFF_BASE_PATH", "/a/../b").RunAsync("check");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("2 problem(s) found:", result.Error);
        Assert.Contains("DATABASE_URL is not a database URL", result.Error);
        Assert.Contains("STUFF_BASE_PATH must be empty or a path such as /stuff", result.Error);
        Assert.DoesNotContain("topsecret", result.Error + result.Output);
    }

    [Fact]
    public async Task Pending_migrations_are_a_problem_with_the_fix()
    {
        var result = await Stuff.RunAsync("check");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("run: stuff migrate", result.Error);
    }

    [Fact]
    public async Task Other_commands_refuse_bad_settings_in_one_line()
    {
        var result = await Stuff.With("DATABASE_URL", "postgres://u:topsecret@/nodb").RunAsync("migrate");

        AssertCleanFailure(result, "stuff: error: DATABASE_URL is not a database URL");
        Assert.DoesNotContain("topsecret", result.Error);
    }
}
