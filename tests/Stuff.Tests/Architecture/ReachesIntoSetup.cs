namespace Stuff.Server;

/// <summary>
/// What the architecture test must catch, kept in this test assembly: a type in the server
/// folder's namespace that uses setup, against the direction of docs/architecture.md.
/// </summary>
public static class ReachesIntoSetup
{
    public static int Steps() => Setup.Plan.Steps().Count;
}
