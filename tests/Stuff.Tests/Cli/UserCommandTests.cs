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
    [Fact]
    public async Task Createuser_makes_an_ordinary_user_from_a_script()
    {
        await MigratedAsync();

        var result = await Stuff.With("STUFF_USER_PASSWORD", Password).RunAsync("createuser", "--username", "bob", "--email", "bob@example.org", "--no-input");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("User 'bob' created.", result.Output);
        Assert.Equal(0L, Convert.ToInt64(await Database.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUsers\" WHERE \"IsStaff\" OR \"IsSuperuser\" OR NOT \"IsActive\"")));
        Assert.Equal(1, await CountUsersAsync());
    }

    [Fact]
    public async Task Createuser_can_make_staff_in_existing_groups_and_refuses_unknown_groups_writing_nothing()
    {
        await MigratedAsync();
        await Database.ScalarAsync("INSERT INTO \"AspNetRoles\" (\"Id\", \"Name\", \"NormalizedName\", \"ConcurrencyStamp\") VALUES ('g1', 'Editors', 'EDITORS', 'x')");
        var stuff = Stuff.With("STUFF_USER_PASSWORD", Password);

        var unknown = await stuff.RunAsync("createuser", "--username", "bob", "--staff", "--group", "Editors", "--group", "Nobody", "--no-input");
        AssertCleanFailure(unknown, "There is no group named 'Nobody'.");
        Assert.Equal(0, await CountUsersAsync());

        var ok = await stuff.RunAsync("createuser", "--username", "bob", "--staff", "--group", "editors", "--no-input");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal(1L, Convert.ToInt64(await Database.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUsers\" WHERE \"UserName\" = 'bob' AND \"IsStaff\" AND NOT \"IsSuperuser\"")));
        Assert.Equal("g1", await Database.ScalarAsync("SELECT \"RoleId\" FROM \"AspNetUserRoles\""));
    }

    [Fact]
    public async Task Createuser_refuses_a_weak_password_and_a_missing_one()
    {
        await MigratedAsync();

        var weak = await Stuff.With("STUFF_USER_PASSWORD", "password1234").RunAsync("createuser", "--username", "bob", "--no-input");
        AssertCleanFailure(weak, "This password is too common.");

        var missing = await Stuff.RunAsync("createuser", "--username", "bob", "--no-input");
        AssertCleanFailure(missing, "STUFF_USER_PASSWORD");
        Assert.Equal(0, await CountUsersAsync());
    }
}
