namespace Stuff.Tests.Infrastructure;

/// <summary>
/// Test traits (`[Trait("Category", ...)]`) that the fast loop leaves out: `./test.sh --fast`
/// runs everything else.
/// </summary>
public static class TestCategory
{
    public const string Name = "Category";

    /// <summary>Publishes the release and runs `stuff setup` on a server.</summary>
    public const string Deploy = "Deploy";

    /// <summary>Generates a site from the repository as a template, builds it and runs its tests.</summary>
    public const string Template = "Template";

    /// <summary>Puts the site under load for a while (the benchmark, signals and crashes under load).</summary>
    public const string Load = "Load";
}
