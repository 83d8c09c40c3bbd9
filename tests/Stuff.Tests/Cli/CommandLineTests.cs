using System.CommandLine;
using Stuff.Cli;
using Stuff.Configuration;

namespace Stuff.Tests.Cli;

/// <summary>
/// What every command does with its command line, for every command in the tree: a new
/// command is covered without editing this file.
/// </summary>
public sealed class CommandLineTests() : CliTests(DatabaseProvider.Sqlite)
{
    /// <summary>Every command a person can type, as its words: ["setup"], ["migrate"] ...</summary>
    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (var command in StuffCommandLine.Build().Subcommands.Where(c => !c.Hidden)) data.Add(command.Name);
        return data;
    }

    private static Command Find(string name) => StuffCommandLine.Build().Subcommands.Single(c => c.Name == name);

    [Fact]
    public void The_readme_shows_every_command_in_the_tree()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));

        foreach (var command in StuffCommandLine.Build().Subcommands.Where(c => !c.Hidden))
            Assert.True(readme.Contains($"`stuff {command.Name}", StringComparison.Ordinal), $"README.md does not show `stuff {command.Name}`.");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_has_help(string command)
    {
        var result = await Stuff.RunAsync(command, "--help");

        AssertSucceeded(result);
        Assert.Contains("Usage:", result.Output);
        Assert.Contains($" {command} ", result.Output);
        foreach (var option in Find(command).Options.Where(o => !o.Hidden))
            Assert.Contains(option.Name, result.Output);
    }

    [Fact]
    public async Task The_root_help_lists_every_command()
    {
        var result = await Stuff.RunAsync("--help");

        AssertSucceeded(result);
        foreach (var command in StuffCommandLine.Build().Subcommands.Where(c => !c.Hidden))
            Assert.Contains(command.Name, result.Output);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_refuses_an_unknown_option_before_it_runs(string command)
    {
        var result = await Stuff.RunAsync([command, .. RequiredArguments(command), "--bogus-option", "42"]);

        AssertRefused(result, $"stuff {command}: unknown option '--bogus-option'");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_command_refuses_a_bad_value_before_it_runs(string command)
    {
        // A value the option's type cannot hold; a command whose options all take any text gets a word too many.
        var typed = Find(command).Options.FirstOrDefault(o => !o.Hidden && o.ValueType != typeof(string) && o.ValueType != typeof(string[]) && o.ValueType != typeof(bool) && o.ValueType != typeof(FileInfo) && o.ValueType != typeof(DirectoryInfo));
        string[] args = typed is null
            ? [command, .. RequiredArguments(command), "stray-word"]
            : [command, .. RequiredArguments(command), typed.Name, "not-a-value"];

        var result = await Stuff.RunAsync(args);

        AssertRefused(result, typed is null ? "'stray-word'" : "not-a-value");
    }

    [Theory]
    [InlineData(new[] { "setup", "--dry-run", "--domain", "localhost", "--tls-cret", "x" }, "stuff setup: unknown option '--tls-cret' (did you mean --tls-cert?)")]
    [InlineData(new[] { "backup", "--kep", "3" }, "stuff backup: unknown option '--kep' (did you mean --keep?)")]
    [InlineData(new[] { "doctor", "--nonsense" }, "stuff doctor: unknown option '--nonsense'; see `stuff doctor --help`.")]
    [InlineData(new[] { "migrat" }, "stuff: unknown command 'migrat' (did you mean migrate?)")]
    [InlineData(new[] { "setup", "--domain", "localhost", "--tls", "letsencrypt", "--dry-run" }, "stuff setup: Argument 'letsencrypt' not recognized. Must be one of: 'acme' 'self-signed'; see `stuff setup --help`.")]
    [InlineData(new[] { "backup", "--keep", "0" }, "stuff backup: --keep must be 1 or more; see `stuff backup --help`.")]
    public async Task A_mistyped_command_line_names_the_mistake_and_the_closest_valid_choice(string[] args, string expected)
    {
        var result = await Stuff.RunAsync(args);

        AssertRefused(result, expected);
    }

    [Fact]
    public async Task An_unknown_command_is_an_error_not_a_server()
    {
        AssertRefused(await Stuff.RunAsync("frobnicate"), "stuff: unknown command 'frobnicate'");
    }

    [Fact]
    public async Task The_executable_exits_2_for_a_command_line_it_cannot_parse()
    {
        var result = await Stuff.RunProcessAsync("setup", "--dry-run", "--domain", "localhost", "--tls", "self-signed", "--bogus-option", "42");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("stuff setup: unknown option '--bogus-option'; see `stuff setup --help`.", result.Error.Trim());
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Version_prints_the_version_and_commit()
    {
        var result = await Stuff.RunProcessAsync("--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^stuff \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,}|unknown)\)$", result.Output.Trim());
    }

    [Fact]
    public async Task An_env_file_other_users_can_read_stops_every_command_with_the_fix()
    {
        var env = Path.Combine(DataDirectory, "stuff.env");
        File.WriteAllText(env, "DATABASE_URL=postgres://stuff:topsecret@localhost/stuff\n");
        File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var serve = await Stuff.With("STUFF_ENV_FILE", env).RunProcessAsync("serve", "--urls", "http://127.0.0.1:0");
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

    /// <summary>Placeholder values for a command's required arguments and options, so that only the mistake under test is wrong.</summary>
    private static string[] RequiredArguments(string command)
    {
        var found = Find(command);
        var args = new List<string>();
        // A single optional argument (restore's FILE) is given too, so that a stray word is one too many.
        foreach (var argument in found.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0 || a.Arity.MaximumNumberOfValues == 1)) args.Add("placeholder");
        foreach (var option in found.Options.Where(o => o.Required)) args.AddRange([option.Name, "localhost"]);
        return [.. args];
    }

    /// <summary>Refused before anything ran: exit 2, one line, nothing written to the data directory.</summary>
    private void AssertRefused(CliResult result, string expected)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Empty(result.Output);
        Assert.Empty(Directory.GetFileSystemEntries(DataDirectory));
    }
}
