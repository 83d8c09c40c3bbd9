using System.Reflection;
using NetArchTest.Rules;

namespace Stuff.Tests.Architecture;

/// <summary>
/// The folders of src/Stuff use each other only in the directions docs/architecture.md allows:
/// its table is the rule, so the picture a newcomer reads is the one the build holds.
/// </summary>
public sealed class FolderDependencyTests
{
    private static readonly Assembly Site = typeof(Stuff.Hosting.StuffHost).Assembly;

    /// <summary>The site's root namespace (Stuff, or the name a generated site was given).</summary>
    private static readonly string Root = typeof(Stuff.Hosting.StuffHost).Namespace!.Split('.')[0];

    /// <summary>Each folder and the folders it may use, from the table in docs/architecture.md.</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Allowed()
    {
        var text = File.ReadAllText(Path.Combine(Repository.Root, "docs", "architecture.md"));
        var start = text.IndexOf("<!-- folders -->", StringComparison.Ordinal);
        var end = text.IndexOf("<!-- /folders -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/architecture.md has no folder table between <!-- folders --> and <!-- /folders -->");
        var rules = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var row in text[start..end].Split('\n').Where(l => l.StartsWith('|')).Skip(2))
        {
            var cells = row.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            rules[cells[0]] = cells[^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        }
        return rules;
    }

    /// <summary>"Server → Setup: Stuff.Server.X" for every type that uses a folder its own may not.</summary>
    public static IReadOnlyList<string> Violations(Assembly assembly, string root, IReadOnlyDictionary<string, IReadOnlySet<string>> allowed)
    {
        var violations = new List<string>();
        foreach (var (folder, uses) in allowed)
        {
            foreach (var other in allowed.Keys.Where(o => o != folder && !uses.Contains(o)))
            {
                var result = Types.InAssembly(assembly).That().ResideInNamespace($"{root}.{folder}")
                    .ShouldNot().HaveDependencyOn($"{root}.{other}").GetResult();
                if (!result.IsSuccessful)
                    violations.Add($"{folder} → {other}: {string.Join(", ", result.FailingTypeNames.Where(n => !n.Contains('<')).DefaultIfEmpty(string.Join(", ", result.FailingTypeNames)))}");
            }
        }
        return violations;
    }

    [Fact]
    public void Every_folder_uses_only_the_folders_its_row_allows()
    {
        var violations = Violations(Site, Root, Allowed());

        Assert.True(violations.Count == 0, "Dependencies docs/architecture.md does not allow (change the code, or the table and its picture):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Every_folder_of_the_site_has_a_row()
    {
        var folders = Site.GetTypes().Select(t => t.Namespace).OfType<string>()
            .Where(n => n.StartsWith(Root + ".", StringComparison.Ordinal))
            .Select(n => n.Split('.')[1]).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(folders.Except(Allowed().Keys));
        Assert.Empty(Allowed().Keys.Except(folders));
    }

    [Fact]
    public void A_use_against_the_direction_is_found()
    {
        // ReachesIntoSetup (below, in this test assembly) sits in the Server folder's namespace and uses Setup.
        var violations = Violations(typeof(Stuff.Server.ReachesIntoSetup).Assembly, Root, Allowed());

        Assert.Equal([$"Server → Setup: {typeof(Stuff.Server.ReachesIntoSetup).FullName}"], violations);
    }
}
