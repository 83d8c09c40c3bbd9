using Stuff.Configuration;

namespace Stuff.Tests.Cli;

public sealed class CommandLineTests() : CliTests(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task Version_prints_the_version_and_commit()
    {
        var result = await Stuff.RunAsync("--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^stuff \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,}|unknown)\)$", result.Output.Trim());
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("migrate")]
    [InlineData("createsuperuser")]
    [InlineData("createuser")]
    [InlineData("changepassword")]
    [InlineData("collectstatic")]
    [InlineData("dumpdata")]
    [InlineData("loaddata")]
    [InlineData("check")]
    public async Task Every_command_has_help(string command)
    {
        var result = await Stuff.RunAsync(command, "--help");

        AssertSucceeded(result);
        Assert.Contains("Usage:", result.Output);
        Assert.Contains(command, result.Output);
    }

    [Fact]
    public async Task The_root_help_lists_the_commands()
    {
        var result = await Stuff.RunAsync("--help");

        AssertSucceeded(result);
        foreach (var command in new[] { "serve", "migrate", "createsuperuser", "createuser", "changepassword", "collectstatic", "dumpdata", "loaddata", "check" })
            Assert.Contains(command, result.Output);
    }

    [Fact]
    public async Task An_unknown_command_is_an_error_not_a_server()
    {
        var result = await Stuff.RunAsync("frobnicate");

        AssertCleanFailure(result, "Unknown command 'frobnicate'");
    }

    [Fact]
    public async Task An_env_file_other_users_can_read_stops_every_command_with_the_fix()
    {
        var env = Path.Combine(DataDirectory, "stuff.env");
        File.WriteAllText(env, "DATABASE_URL=postgres://stuff:topsecret@localhost/stuff\n");
        File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var serve = await Stuff.With("STUFF_ENV_FILE", env).RunAsync("serve", "--urls", "http://127.0.0.1:0");
        var migrate = await Stuff.With("STUFF_ENV_FILE", env).RunAsync("migrate");

        foreach (var result in new[] { serve, migrate })
        {
            AssertCleanFailure(result, $"chmod 0640 {env}");
            Assert.DoesNotContain("topsecret", result.Error + result.Output);
        }
    }

    [Fact]
    public async Task Settings_come_from_the_env_file()
    {
        var env = Path.Combine(DataDirectory, "stuff.env");
        File.WriteAllText(env, "DATABASE_URL=mysql://nope\n");
        File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = await Stuff.With("STUFF_ENV_FILE", env).RunAsync("check");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("DATABASE_URL is not a database URL", result.Error);
    }
}
