namespace Stuff.Tests.Infrastructure;

/// <summary>
/// Recorded outputs of real tools on Debian and Fedora hosts (tests/Stuff.Tests/Fixtures), copied
/// next to the test assembly. Each file's first line says which system and command it records.
/// </summary>
public static class Fixtures
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string Read(string name)
    {
        var path = Path.Combine(Directory, name);
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new FileNotFoundException($"No fixture {name} in tests/Stuff.Tests/Fixtures.", path);
    }
}
