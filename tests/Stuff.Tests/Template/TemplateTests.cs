using System.Text.RegularExpressions;

namespace Stuff.Tests.Template;

/// <summary>
/// The repository as a `dotnet new` template: a site generated under another name, with the sample
/// model and without it, builds, passes its fast tests and plans its own paths; nothing in it is
/// called stuff, and docs/adding-a-model.md, followed to the letter, gives it a working model.
/// </summary>
[Collection(DeployCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Template)]
public sealed partial class TemplateTests : IDisposable
{
    // Not named stuff itself: the generated site's paths and plan must not say it anywhere.
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("site-template-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task A_site_generated_under_another_name_passes_its_fast_tests_and_plans_its_own_server()
    {
        var site = await GenerateAsync("Inventory");
        Assert.True(File.Exists(Path.Combine(site, "src", "Inventory", "Data", "InventoryItem.cs")), "the sample model did not come along");
        Assert.True(new FileInfo(Path.Combine(site, "bench", "run.sh")).UnixFileMode.HasFlag(UnixFileMode.UserExecute), "bench/run.sh is not executable");

        var tests = await RunFastTestsAsync(site);
        Succeeded(tests);
        Assert.Matches(@"(?m)^[1-9]\d* passed, 0 failed, 0 skipped$", tests.Output + tests.Error);
        Assert.Contains("Passed Inventory.Tests.Pages.Admin.InventoryAdminTestsOnPostgres.", tests.Output + tests.Error);

        var plan = await Processes.RunAsync(Path.Combine(site, "src", "Inventory", "bin", "Release", "net10.0", "inventory"),
            ["setup", "--dry-run", "--domain", "example.org", "--tls", "self-signed"], site, TimeSpan.FromMinutes(1));
        Succeeded(plan);
        Assert.Contains("directory /opt/inventory ", plan.Output);
        Assert.Contains("file /etc/inventory/inventory.env (root:inventory 0640)", plan.Output);
        Assert.Matches(@"/etc/(apache2/sites-available|httpd/conf\.d)/inventory\.conf", plan.Output);
        // The server files come from the site's own deploy/server/ templates, renamed with it.
        Assert.Contains("| # Inventory, written by `inventory setup` from deploy/server/apache-site.conf.", plan.Output);
        Assert.DoesNotMatch(Stuff(), plan.Output + plan.Error);
        Assert.Contains("public static string Unit(int port) => $\"inventory@{port}\";", File.ReadAllText(Path.Combine(site, "src", "Inventory", "Server", "Layout.cs")));
    }

    [Fact]
    public async Task A_site_without_the_sample_gets_the_walkthroughs_model_and_passes_its_fast_tests()
    {
        var site = await GenerateAsync("Shelf", "--sample", "false");

        // Nothing of the sample is left: no entity, pages, table, benchmark or test of it.
        Assert.False(Directory.Exists(Path.Combine(site, "src", "Shelf", "Pages", "Shelf")), "the sample's pages came along");
        Assert.False(Directory.Exists(Path.Combine(site, "bench")), "the benchmark of the sample's list came along");
        var traces = Directory.EnumerateFiles(site, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}docs{Path.DirectorySeparatorChar}decisions{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (File: Path.GetRelativePath(site, f), Match: Sample().Match(File.ReadAllText(f))))
            .Where(f => f.Match.Success).Select(f => $"{f.File}: {f.Match.Value}").ToList();
        Assert.True(traces.Count == 0, "files that still have the sample:\n" + string.Join("\n", traces.Take(20)));
        Assert.Contains("<h1>Shelf</h1>", File.ReadAllText(Path.Combine(site, "src", "Shelf", "Pages", "Index.cshtml")));

        // docs/adding-a-model.md, followed as written, and the proof that the model it adds has everything.
        var written = FollowTheWalkthrough(site);
        Assert.Equal(4, written.Files);
        Assert.Equal(2, written.Edits);
        File.WriteAllText(Path.Combine(site, "tests", "Shelf.Tests", "Pages", "Admin", "BookAdminTests.cs"),
            InUsersNames(File.ReadAllText(Path.Combine(Repository.Root, "tests", "Stuff.Tests", "Template", "Walkthrough", "BookAdminTests.cs.txt")), "Shelf"));
        // Four `dotnet ef` runs (a migration and a compiled model per provider), at idle priority beside the deploy tests.
        Succeeded(await Processes.RunAsync(Path.Combine(site, "scripts", "add-migration.sh"), ["AddBooks"], site, TimeSpan.FromMinutes(20)));
        foreach (var provider in new[] { "Sqlite", "Postgres" })
        {
            Assert.Single(Directory.GetFiles(Path.Combine(site, "src", "Shelf", "Data", "Migrations", provider), "*_AddBooks.cs"));
            Assert.True(File.Exists(Path.Combine(site, "src", "Shelf", "Data", "CompiledModels", provider, "BookEntityType.cs")), $"the {provider} compiled model was not made again with Book");
        }
        var again = await Processes.RunAsync(Path.Combine(site, "scripts", "add-migration.sh"), ["AddBooks"], site, TimeSpan.FromMinutes(1));
        Assert.Contains("exists already", again.Error);

        var tests = await RunFastTestsAsync(site);
        Succeeded(tests);
        Assert.Matches(@"(?m)^[1-9]\d* passed, 0 failed, 0 skipped$", tests.Output + tests.Error);
        string[] proofs =
        [
            "Pages.Admin.BookAdminTestsOnSqlite", "Pages.Admin.BookAdminTestsOnPostgres", "Pages.Admin.BookDataTestsOnSqlite",
            "Pages.Admin.BookDataTestsOnPostgres", "Pages.BookPageTestsOnSqlite", "Pages.BookPageTestsOnPostgres", "Pages.HomeTests",
            "Data.MigrationsTestsOnSqlite", "Data.MigrationsTestsOnPostgres",
        ];
        foreach (var proof in proofs) Assert.Contains($"Passed Shelf.Tests.{proof}.", tests.Output + tests.Error);
    }

    /// <summary>
    /// Installs the template from the working tree into a template store of the test's own (so the
    /// machine's list of templates is left as it was), generates a site named <paramref name="name"/>,
    /// and checks that nothing in it is named or says stuff.
    /// </summary>
    private async Task<string> GenerateAsync(string name, params string[] options)
    {
        var hive = Path.Combine(_work.FullName, "hive-" + name);
        var site = Path.Combine(_work.FullName, name.ToLowerInvariant());
        Succeeded(await Processes.RunAsync("dotnet", ["new", "install", Repository.Root, "--debug:custom-hive", hive], _work.FullName, TimeSpan.FromMinutes(5)));
        Succeeded(await Processes.RunAsync("dotnet", ["new", "stuff", "-n", name, "-o", site, .. options, "--debug:custom-hive", hive], _work.FullName, TimeSpan.FromMinutes(5)));

        var named = Directory.EnumerateFileSystemEntries(site, "*", SearchOption.AllDirectories)
            .Where(p => Path.GetRelativePath(site, p).Contains("stuff", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(named.Count == 0, "paths named stuff: " + string.Join(", ", named.Take(10)));
        var saying = Directory.EnumerateFiles(site, "*", SearchOption.AllDirectories)
            .Select(f => (File: Path.GetRelativePath(site, f), Match: Stuff().Match(File.ReadAllText(f))))
            .Where(f => f.Match.Success).Select(f => $"{f.File}: {f.Match.Value}").ToList();
        Assert.True(saying.Count == 0, "files that still say stuff:\n" + string.Join("\n", saying.Take(20)));
        Assert.True(File.Exists(Path.Combine(site, "src", name, name + ".csproj")));
        Assert.False(Directory.Exists(Path.Combine(site, ".template.config")), "the generated site is not a template itself");
        var readme = File.ReadAllText(Path.Combine(site, "README.md"));
        Assert.DoesNotContain("dotnet new install", readme);
        Assert.DoesNotContain("#if", readme);
        Assert.StartsWith($"# {name}\n", readme);
        foreach (var script in new[] { "test.sh", ".ci/run", "scripts/add-migration.sh" })
            Assert.True(new FileInfo(Path.Combine(site, script)).UnixFileMode.HasFlag(UnixFileMode.UserExecute), $"{script} is not executable");
        return site;
    }

    [GeneratedRegex("stuff", RegexOptions.IgnoreCase)]
    private static partial Regex Stuff();

    /// <summary>What only the sample model has: its fields, its entity, its pages' and tests' helpers.</summary>
    [GeneratedRegex(@"junk|somenum|ShelfItem|AddShelfAsync|Pages[./]Shelf\b|#if|#endif|nosample", RegexOptions.IgnoreCase)]
    private static partial Regex Sample();

    /// <summary>The fences of the walkthrough: ```lang file=PATH (a new file) or ```lang edit=PATH (a change to one).</summary>
    [GeneratedRegex(@"(?ms)^```\w+ (file|edit)=(\S+)\n(.*?)^```$")]
    private static partial Regex Block();

    /// <summary>
    /// Writes the walkthrough's code blocks into the site: a file= block is the whole file; an
    /// edit= block replaces the one line that reads like the block's last line up to its "=".
    /// </summary>
    private static (int Files, int Edits) FollowTheWalkthrough(string site)
    {
        var doc = File.ReadAllText(Path.Combine(site, "docs", "adding-a-model.md"));
        var (files, edits) = (0, 0);
        foreach (Match block in Block().Matches(doc))
        {
            var path = Path.Combine(site, block.Groups[2].Value);
            var text = block.Groups[3].Value;
            if (block.Groups[1].Value == "file")
            {
                Assert.False(File.Exists(path), $"{block.Groups[2].Value} exists already");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
                files++;
                continue;
            }
            var last = text.TrimEnd('\n').Split('\n')[^1];
            var head = last[..last.IndexOf('=', StringComparison.Ordinal)].Trim();
            var lines = File.ReadAllLines(path).ToList();
            var at = lines.FindIndex(l => l.Contains('=', StringComparison.Ordinal) && l[..l.IndexOf('=', StringComparison.Ordinal)].Trim() == head);
            Assert.True(at >= 0 && lines.FindLastIndex(l => l.Contains('=', StringComparison.Ordinal) && l[..l.IndexOf('=', StringComparison.Ordinal)].Trim() == head) == at,
                $"{block.Groups[2].Value}: not exactly one line reads like {head}");
            lines.RemoveAt(at);
            lines.InsertRange(at, text.TrimEnd('\n').Split('\n'));
            File.WriteAllLines(path, lines);
            edits++;
        }
        return (files, edits);
    }

    /// <summary>The template's own renaming, for a file that is copied in after it ran.</summary>
    private static string InUsersNames(string text, string name) =>
        text.Replace("Stuff", name, StringComparison.Ordinal)
            .Replace("stuff", name.ToLowerInvariant(), StringComparison.Ordinal)
            .Replace("STUFF", name.ToUpperInvariant(), StringComparison.Ordinal);

    /// <summary>
    /// The site's own `./test.sh --fast`: its build and its tests. ./test.sh runs these tests beside
    /// the deploy tests, on the cores those leave idle, so the limit only catches a run that hangs.
    /// </summary>
    private static Task<CliResult> RunFastTestsAsync(string site) =>
        Processes.RunAsync(Path.Combine(site, "test.sh"), ["--fast"], site, TimeSpan.FromMinutes(25));

    private static void Succeeded(CliResult result) => Assert.True(result.ExitCode == 0, result.ToString());
}
