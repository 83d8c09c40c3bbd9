using System.CommandLine;
using System.Diagnostics;
using Stuff.Configuration;
using Stuff.Server;
using Stuff.Setup;

namespace Stuff.Cli;

/// <summary>
/// `stuff setup`: a fresh Debian/Ubuntu or Fedora/RHEL server to the site over HTTPS behind
/// Apache, with PostgreSQL, a service and its secrets. Every step checks before it changes
/// anything, so a second run changes nothing; --dry-run prints the whole plan.
/// </summary>
public static class SetupCommand
{
    public static Command Create()
    {
        var domain = new Option<string>("--domain") { Description = "The name the site is reached by, e.g. example.org.", Required = true };
        var basePath = new Option<string>("--base-path") { Description = "The path the site lives under.", DefaultValueFactory = _ => "/stuff" };
        var tls = new Option<string?>("--tls") { Description = "self-signed: make a certificate here (for trying it out)." };
        tls.AcceptOnlyFromAmong("self-signed");
        var certificate = new Option<FileInfo?>("--tls-cert") { Description = "A PEM certificate (with its chain) to serve.", HelpName = "FILE" };
        var key = new Option<FileInfo?>("--tls-key") { Description = "The PEM private key of --tls-cert.", HelpName = "FILE" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Change nothing; print every command and file the setup would run and write." };
        var instances = new Option<int?>("--instances")
        {
            Description = $"How many app instances run behind Apache's balancer (1 to {ReleaseStore.MaxInstances}; default: as installed, 1 the first time).",
            HelpName = "N",
        };

        var readyTimeout = new Option<int>("--ready-timeout")
        {
            Description = $"Seconds a new release has to answer /readyz before it is stopped and the live one kept (5 to 600; default {SetupSettings.DefaultReadyWithin.TotalSeconds:0}).",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => (int)SetupSettings.DefaultReadyWithin.TotalSeconds,
        };
        readyTimeout.AcceptRange(5, 600, "--ready-timeout must be from 5 to 600 seconds.");

        var appHosts = new Option<string[]>("--app-host")
        {
            Description = "An app server on another host for the balancer, HOST:PORT (repeat for each; none for no others; default: as installed).",
            HelpName = "HOST:PORT",
            Arity = ArgumentArity.OneOrMore,
        };

        var noAutoUpdates = new Option<bool>("--no-auto-updates")
        {
            Description = "Leave the system's automatic updates as they are (by default setup turns on the distribution's automatic security updates).",
        };

        var command = new Command("setup", "Install and configure everything the site needs on this server (run as root).")
        {
            domain, basePath, tls, certificate, key, instances, appHosts, readyTimeout, noAutoUpdates, dryRun,
        };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var settings = Settings(parse.GetRequiredValue(domain), parse.GetValue(basePath), parse.GetValue(tls), parse.GetValue(certificate), parse.GetValue(key));
            var shell = new ProcessShell();
            var facts = await HostFacts.DetectAsync(shell, cancellationToken);
            var layout = new Layout(facts.Family, facts.PostgresVersion);
            var count = parse.GetValue(instances) ?? Math.Max(1, layout.Releases.LiveInstances);
            if (count is < 1 or > ReleaseStore.MaxInstances)
                throw new UserFacingException($"--instances must be a number from 1 to {ReleaseStore.MaxInstances}, not {count}.");
            settings = settings with
            {
                Instances = count,
                ReadyWithin = TimeSpan.FromSeconds(parse.GetValue(readyTimeout)),
                AutoUpdates = !parse.GetValue(noAutoUpdates),
                AppHosts = parse.GetResult(appHosts) is null ? AppHost.InSite(layout.ApacheSiteFile) : AppHosts(parse.GetValue(appHosts) ?? []),
            };
            var context = new SetupContext(shell, facts, settings);
            var steps = Plan.Steps();

            await output.WriteLineAsync($"stuff setup on {facts.Description}");
            if (parse.GetValue(dryRun))
            {
                await output.WriteLineAsync("Dry run: nothing is changed. The plan:");
                for (var i = 0; i < steps.Count; i++)
                {
                    await output.WriteLineAsync($"[{i + 1}/{steps.Count}] {steps[i].Name}");
                    foreach (var line in steps[i].Describe(context)) await output.WriteLineAsync("    " + line);
                }
                return 0;
            }

            if (!Environment.IsPrivilegedProcess)
                throw new UserFacingException("stuff setup changes the system and must run as root: sudo ./stuff setup ... (or --dry-run to see the plan).");
            return await RunAsync(context, steps, output, cancellationToken);
        }));
        return command;
    }

    private static List<AppHost> AppHosts(string[] values)
    {
        if (values is ["none"]) return [];
        var hosts = new List<AppHost>();
        foreach (var value in values)
        {
            var host = AppHost.Parse(value)
                ?? throw new UserFacingException($"--app-host must be HOST:PORT of an app server on another host, such as 10.0.0.11:5080, not '{value}' (the ports {ReleaseStore.SlotPorts[0]} to {ReleaseStore.AllPorts.Max()} on loopback are this host's own instances: use --instances).");
            if (!hosts.Contains(host)) hosts.Add(host);
        }
        return hosts;
    }

    private static SetupSettings Settings(string domain, string? basePath, string? tls, FileInfo? certificate, FileInfo? key)
    {
        domain = domain.Trim().ToLowerInvariant();
        if (!StuffOptions.IsHostName(domain))
            throw new UserFacingException($"--domain must be a host name such as example.org, not '{domain}'.");
        var normalized = StuffOptions.NormalizeBasePath(basePath)
            ?? throw new UserFacingException("--base-path must be a path such as /stuff (letters, digits, '-', '_', '.').");

        if (tls is not null && (certificate is not null || key is not null))
            throw new UserFacingException("Give either --tls self-signed or --tls-cert with --tls-key, not both.");
        if (tls is null && (certificate is null || key is null))
            throw new UserFacingException("HTTPS needs a certificate: --tls self-signed, or --tls-cert FILE --tls-key FILE.");
        foreach (var file in new[] { certificate, key })
            if (file is { Exists: false }) throw new UserFacingException($"{file.FullName} does not exist.");

        // The release is the directory this executable was started from.
        var source = AppContext.BaseDirectory.TrimEnd('/');
        if (!File.Exists(Path.Combine(source, "stuff")))
            throw new UserFacingException("stuff setup installs the published executable it is run from; publish first (see the README's Deploy section) and run ./stuff setup from there.");
        return new SetupSettings(domain, normalized, tls is null ? TlsMode.Provided : TlsMode.SelfSigned, certificate?.FullName, key?.FullName, source);
    }

    private static async Task<int> RunAsync(SetupContext context, IReadOnlyList<Step> steps, TextWriter output, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var changed = await StepRunner.RunAsync(context, steps, output, cancellationToken);

        await output.WriteLineAsync();
        await output.WriteLineAsync(changed.Count == 0
            ? $"Nothing to change: everything was already in place ({total.Elapsed.TotalSeconds:0.0} s)."
            : $"Done in {total.Elapsed.TotalSeconds:0.0} s; changed: {string.Join(", ", changed)}.");
        await output.WriteLineAsync($"The site: https://{context.Settings.Domain}{context.Settings.BasePath}/ (release {ReleaseStore.NameOf(context.Releases.LiveRelease)})");
        if (await FirstUser.NeededAsync(context, cancellationToken)) await output.WriteLineAsync(FirstUser.Hint);
        return 0;
    }
}
