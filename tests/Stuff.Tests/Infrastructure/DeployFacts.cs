namespace Stuff.Tests.Infrastructure;

/// <summary>
/// A test that needs what ./test.sh prepares as root: the published release in
/// STUFF_TEST_RELEASE (the benchmark's smoke run, the sites generated from the template).
/// </summary>
public sealed class DeployFactAttribute : FactAttribute
{
    public DeployFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("STUFF_TEST_RELEASE") is not { Length: > 0 })
            Skip = "needs root and the published release: run ./test.sh as root";
    }
}

/// <summary>The heavy tests of this project, one at a time: each builds or loads a whole site.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeployCollection
{
    public const string Name = "heavy, one at a time";
}
