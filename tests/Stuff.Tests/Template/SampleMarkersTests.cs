namespace Stuff.Tests.Template;

/// <summary>
/// The migrations keep the sample model between //#if (sample) and //#endif, so that a site
/// generated without it (dotnet new stuff --sample false) gets neither its table nor its entity.
/// dotnet ef rewrites the snapshot without them; this says where to put them back.
/// </summary>
public sealed class SampleMarkersTests
{
    [Fact]
    public void Every_mention_of_the_sample_in_the_migrations_is_marked()
    {
        var unmarked = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository.Root, "src", "Stuff", "Data", "Migrations"), "*.cs", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file);
            var inside = false;
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line == "//#if (sample)") inside = true;
                else if (line == "//#endif") inside = false;
                else if (!inside && (line.Contains("Stuff.Data.StuffItem", StringComparison.Ordinal) || line is "name: \"stuff\"," or "name: \"stuff\");" || line.Contains("table: \"stuff\"", StringComparison.Ordinal)))
                    unmarked.Add($"{Path.GetRelativePath(Repository.Root, file)}:{i + 1}");
            }
        }

        Assert.True(unmarked.Count == 0,
            "Wrap these in //#if (sample) ... //#endif as the older migrations do (the whole modelBuilder.Entity(...) block or migrationBuilder call):\n" + string.Join("\n", unmarked));
    }
}
