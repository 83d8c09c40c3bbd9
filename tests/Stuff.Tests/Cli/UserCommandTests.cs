using Stuff.Configuration;

namespace Stuff.Tests.Cli;

public sealed class UserCommandTests() : CliTests(DatabaseProvider.Sqlite)
{
    private const string Password = "a very fine passphrase";

    private async Task<long> CountUsersAsync() => Convert.ToInt64(await Database.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUsers\""));

    [Fact]
    public async Task Createsuperuser_without_input_takes_the_password_from_the_environment()
    {
        await MigratedAsync();

        var result = await Stuff.With("STUFF_SUPERUSER_PASSWORD", Password)
            .RunAsync("createsuperuser", "--username", "admin", "--email", "admin@example.org", "--no-input");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Superuser 'admin' created.", result.Output);
        Assert.DoesNotContain(Password, result.Output + result.Error);

        var again = await Stuff.With("STUFF_SUPERUSER_PASSWORD", Password).RunAsync("createsuperuser", "--username", "admin", "--no-input");
        AssertCleanFailure(again, "A user named 'admin' already exists.");
        Assert.Equal(1, await CountUsersAsync());
    }

    [Theory]
    [InlineData("short", "Passwords must be at least 12 characters.")]
    [InlineData("123456789012345", "This password is entirely numeric.")]
    [InlineData("Password2025!!", "This password is too common.")]
    [InlineData("administrator1", "too similar to your username")]
    public async Task Createsuperuser_refuses_a_password_that_breaks_the_rules(string password, string message)
    {
        await MigratedAsync();

        var result = await Stuff.With("STUFF_SUPERUSER_PASSWORD", password).RunAsync("createsuperuser", "--username", "administrator", "--no-input");

        AssertCleanFailure(result, message);
        Assert.Equal(0, await CountUsersAsync());
    }

    [Fact]
    public async Task Createsuperuser_without_input_needs_a_username_and_a_password()
    {
        var noName = await Stuff.With("STUFF_SUPERUSER_PASSWORD", Password).RunAsync("createsuperuser", "--no-input");
        AssertCleanFailure(noName, "--username is required with --no-input.");

        var noPassword = await Stuff.RunAsync("createsuperuser", "--username", "admin", "--no-input");
        AssertCleanFailure(noPassword, "STUFF_SUPERUSER_PASSWORD");
    }

    [Fact]
    public async Task Createsuperuser_asks_when_run_interactively()
    {
        await MigratedAsync();

        var result = await Stuff.RunWithInputAsync($"admin\nadmin@example.org\n{Password}\n{Password}\n", "createsuperuser");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Username: ", result.Error);
        Assert.Contains("Password (again): ", result.Error);
        Assert.Contains("Superuser 'admin' created.", result.Output);
    }

    [Fact]
    public async Task Createsuperuser_refuses_passwords_that_do_not_match()
    {
        await MigratedAsync();

        var result = await Stuff.RunWithInputAsync($"admin\n\n{Password}\n{Password}x\n", "createsuperuser");

        AssertCleanFailure(result, "The two passwords didn't match.");
        Assert.Equal(0, await CountUsersAsync());
    }

    [Fact]
    public async Task Changepassword_sets_a_new_password_that_meets_the_rules()
    {
        await MigratedAsync();
        await Stuff.With("STUFF_SUPERUSER_PASSWORD", Password).RunAsync("createsuperuser", "--username", "admin", "--no-input");

        var weak = await Stuff.RunWithInputAsync("qwertyuiopasdf\nqwertyuiopasdf\n", "changepassword", "admin");
        AssertCleanFailure(weak, "This password is too common.");

        var ok = await Stuff.RunWithInputAsync("another fine passphrase\nanother fine passphrase\n", "changepassword", "admin");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("Password changed for 'admin'.", ok.Output);

        var unknown = await Stuff.RunWithInputAsync("another fine passphrase\nanother fine passphrase\n", "changepassword", "nobody");
        AssertCleanFailure(unknown, "There is no user named 'nobody'.");
    }
}
