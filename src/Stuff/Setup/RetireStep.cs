using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// After Apache sends traffic to the new release: the old one is stopped once Apache's old
/// workers let go of it (in-flight requests finish), and releases beyond the newest few are deleted.
/// </summary>
public sealed class RetireStep : Step
{
    private static readonly TimeSpan DrainAtMost = TimeSpan.FromSeconds(30);

    public override string Name => "Previous release stopped";

    public override IEnumerable<string> Describe(SetupContext context) =>
    [
        $"wait until nothing is connected to the old slot's port (at most {DrainAtMost.TotalSeconds:0} s), then stop it   (SIGTERM: in-flight requests finish)",
        $"delete releases in {context.Releases.ReleasesDirectory} beyond the newest {ReleaseStore.Keep}, never one a slot names",
    ];

    /// <summary>Ports whose instances are not wanted: the other slot's, and the live slot's beyond the instances asked for.</summary>
    private static IEnumerable<int> Unwanted(SetupContext context) =>
        ReleaseStore.AllPorts.Where(p => !context.LivePorts.Contains(p));

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var store = context.Releases;
        foreach (var port in Unwanted(context))
            if (await context.Instances.IsRunningAsync(port, cancellationToken))
                return $"release {ReleaseStore.NameOf(store.ReleaseIn(port))} still runs on port {port}";
        if (store.LiveInstances > context.Settings.Instances) return $"port {context.LivePorts[^1] + 2} is linked but not wanted";
        var surplus = store.Surplus();
        return surplus.Count == 0 ? null : $"{surplus.Count} release(s) older than the newest {ReleaseStore.Keep}";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var store = context.Releases;
        var running = new List<int>();
        foreach (var port in Unwanted(context))
            if (await context.Instances.IsRunningAsync(port, cancellationToken)) running.Add(port);
        foreach (var port in running)
        {
            await AppInstances.DrainAsync(port, DrainAtMost, cancellationToken);
            await context.Instances.StopAsync(port, cancellationToken);
        }
        // The slots' own ports keep their link (rollback and the tests read it); extra instances' go.
        foreach (var port in Unwanted(context).Where(p => !ReleaseStore.SlotPorts.Contains(p)))
            store.Unpoint(port);
        store.Prune();
    }
}
