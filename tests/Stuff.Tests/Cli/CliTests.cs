using Stuff.Configuration;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Cli;

/// <summary>Base of the command tests: a fresh database and data directory per test, and the real executable.</summary>
public abstract class CliTests(DatabaseProvider provider) : IAsyncLifetime
{
    protected DatabaseProvider Provider => provider;

    protected string DataDirectory { get; } = Directory.CreateTempSubdirectory("stuff-cli-").FullName;

    protected TestDatabase Database { get; private set; } = null!;

    protected StuffCli Stuff { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(provider, DataDirectory);
        Stuff = new StuffCli(DataDirectory, Database.Url);
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }

    protected async Task<CliResult> MigratedAsync()
    {
        var result = await Stuff.RunAsync("migrate");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    protected static void AssertSucceeded(CliResult result) => Assert.True(result.ExitCode == 0, result.ToString());

    /// <summary>A failure a person reads: non-zero, one "stuff: error:" line, no stack trace.</summary>
    protected static void AssertCleanFailure(CliResult result, string expected)
    {
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("   at ", result.Error + result.Output);
        Assert.DoesNotContain("Unhandled exception", result.Error);
    }
}
