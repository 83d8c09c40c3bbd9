using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// The release as a service, started beside the live one: a systemd unit per slot where systemd
/// runs, otherwise `stuff supervise`. The release starts on the idle slot's port and must answer
/// /readyz before it goes live; if it never does, it is stopped and the live one keeps serving.
/// Apache is switched to it by the next step, and the old one stopped after that.
/// </summary>
public sealed class ServiceStep : Step
{
    public override string Name => "App service";

    public override IEnumerable<string> Describe(SetupContext context)
    {
        var idle = context.Releases.IdlePort;
        var ports = ReleaseStore.Ports(idle, context.Settings.Instances).ToList();
        IEnumerable<string> start = context.Facts.HasSystemd
            ? [.. Templates.Unit(context).Describe(), "run systemctl daemon-reload", .. ports.Select(p => $"run systemctl start {Layout.Unit(p)}")]
            : ["(no systemd here: each instance runs under `stuff supervise`, which restarts it when it fails)",
               .. ports.Select(p => $"run setsid -f runuser -u {Layout.ServiceUser} -- {string.Join(' ', Supervisor.Command(context.Layout, context.Releases, p))}")];
        return [
            $"(when the release or settings changed, or nothing serves: the release starts on the idle slot, port(s) {string.Join(", ", ports)})",
            .. ports.Select(p => $"link {context.Releases.SlotPath(p)} -> the release"),
            .. start,
            .. ports.Select(p => $"wait up to {context.Settings.ReadyWithin.TotalSeconds:0} s for {context.AppUrl(p)}/readyz   (never ready: stop them, show the log, keep the live release)"),
            $"link {context.Releases.Current} -> {context.Releases.SlotPath(idle)}",
            .. context.Facts.HasSystemd ? ports.Select(p => $"run systemctl enable {Layout.Unit(p)}") : [],
        ];
    }

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.HasSystemd && Templates.Unit(context).Difference() is { } unit) return unit;
        var store = context.Releases;
        if (store.LivePort is not { } live) return "no release is live yet";
        if (context.Release is { } release && store.ReleaseIn(live) != release)
            return $"release {ReleaseStore.NameOf(release)} is not live yet (live: {ReleaseStore.NameOf(store.ReleaseIn(live))})";
        if (store.LiveInstances != context.Settings.Instances)
            return $"{context.Settings.Instances} instance(s) wanted, {store.LiveInstances} run";
        if (context.AppRestartNeeded) return "the settings changed";
        foreach (var port in context.LivePorts)
        {
            if (!await context.Instances.IsRunningAsync(port, cancellationToken)) return $"the app on port {port} is not running";
            if (!await Readiness.IsReadyAsync(context.AppUrl(port), cancellationToken)) return $"the app on port {port} is running but not ready";
        }
        return null;
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var store = context.Releases;
        var instances = context.Instances;
        var release = context.Release ?? store.LiveRelease
            ?? throw new ServerException("there is no release to start; run setup from the published release.");
        var idle = store.IdlePort;
        var ports = ReleaseStore.Ports(idle, context.Settings.Instances).ToList();
        if (store.LivePort is null) await instances.StopLegacyAsync(cancellationToken);
        // Whatever is left on the idle slot (a release that never became ready) makes way.
        foreach (var port in ports) await instances.StopAsync(port, cancellationToken);
        foreach (var port in ports)
        {
            // A process setup does not know (one that lost its supervisor, or another program) would
            // make the new release fail to listen; say so now rather than after a minute of retries.
            if (!await Wait.UntilAsync(() => !Sockets.IsListening(port), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(250), cancellationToken))
                throw new ServerException($"port {port} is taken by a process setup did not start (see `ss -ltnp 'sport = :{port}'`); stop it, then run setup again. The live release keeps serving.");
        }
        if (context.Facts.HasSystemd)
        {
            var unit = Templates.Unit(context);
            if (unit.Difference() is not null) await unit.WriteAsync(context.Shell, cancellationToken);
            await context.Shell.MustAsync("systemctl", ["daemon-reload"], cancellationToken);
        }

        foreach (var port in ports)
        {
            store.Point(port, release);
            await instances.LaunchAsync(port, cancellationToken);
        }
        var deadline = DateTime.UtcNow + context.Settings.ReadyWithin;
        int? unready = null;
        foreach (var port in ports)
        {
            if (await Readiness.WaitAsync(context.AppUrl(port), deadline - DateTime.UtcNow, cancellationToken)) continue;
            unready = port;
            break;
        }
        if (unready is { } idlePort)
        {
            var log = await instances.LogTailAsync(idlePort, 20, cancellationToken);
            foreach (var started in ports) await instances.StopAsync(started, cancellationToken);
            // The files the new release copied over the unversioned names go back to the live release's.
            if (store.LiveRelease is { } serving) await CollectStaticStep.CollectAsync(context, ReleaseStore.ExecutableOf(serving), cancellationToken);
            var live = store.LivePort is { } port ? $"the live release {ReleaseStore.NameOf(store.ReleaseIn(port))} keeps serving on port {port}" : "nothing was serving before";
            throw new ServerException(
                $"release {ReleaseStore.NameOf(release)} did not become ready at {context.AppUrl(idlePort)}/readyz within {context.Settings.ReadyWithin.TotalSeconds:0} s and was stopped; {live}. Its last log lines:{Environment.NewLine}{log}");
        }
        // Links left by a run with more instances would count as instances of this one.
        foreach (var extra in ReleaseStore.Ports(idle, ReleaseStore.MaxInstances).Skip(ports.Count)) store.Unpoint(extra);
        store.MakeLive(idle);
        await instances.EnableOnlyAsync(ports, cancellationToken);
        context.AppRestartNeeded = false;
    }
}
