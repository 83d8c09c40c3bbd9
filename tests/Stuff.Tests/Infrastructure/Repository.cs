namespace Stuff.Tests.Infrastructure;

/// <summary>The repository this test build came from.</summary>
public static class Repository
{
    /// <summary>The checkout this test build came from (where Stuff.slnx is).</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Stuff.slnx")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Stuff.slnx).");
    }
}
