using Stuff.Configuration;

namespace Stuff.Tests.Cli;

/// <summary>In the executable's own process: collectstatic copies the static files that sit beside it, which the test's build does not have.</summary>
public sealed class CollectStaticCommandTests() : CliTests(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task Copies_the_static_files_once_and_then_leaves_them_alone()
    {
        var target = Path.Combine(DataDirectory, "static");

        var first = await Stuff.RunProcessAsync("collectstatic", "--output", target);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Matches(@"^[1-9]\d* static file\(s\) copied to .+, 0 unchanged\.", first.Output);
        Assert.True(File.Exists(Path.Combine(target, "static", "css", "site.css")));

        var second = await Stuff.RunProcessAsync("collectstatic", "--output", target);
        Assert.Matches(@"^0 static file\(s\) copied to .+, [1-9]\d* unchanged\.", second.Output);

        File.WriteAllText(Path.Combine(target, "static", "css", "site.css"), "stale");
        var third = await Stuff.RunProcessAsync("collectstatic", "--output", target);
        Assert.StartsWith("1 static file(s) copied", third.Output);
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "src", "Stuff", "wwwroot", "static", "css", "site.css")), File.ReadAllText(Path.Combine(target, "static", "css", "site.css")));
    }

    [Fact]
    public async Task Refuses_a_file_as_the_output_and_a_missing_option()
    {
        var file = Path.Combine(DataDirectory, "a-file");
        File.WriteAllText(file, "");

        AssertCleanFailure(await Stuff.RunProcessAsync("collectstatic", "--output", file), "is a file, not a directory");
        var missing = await Stuff.RunAsync("collectstatic");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--output", missing.Error);
    }
}
