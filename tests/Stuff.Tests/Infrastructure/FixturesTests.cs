namespace Stuff.Tests.Infrastructure;

public sealed class FixturesTests
{
    [Fact]
    public void Every_fixture_says_what_system_and_command_it_records()
    {
        var files = System.IO.Directory.GetFiles(Fixtures.Directory, "*.txt");

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var first = File.ReadLines(file).FirstOrDefault() ?? "";
            Assert.True(first.StartsWith("# ", StringComparison.Ordinal) && first.Length > 20, $"{Path.GetFileName(file)} does not start with a '# system and command' line.");
        }
    }
}
