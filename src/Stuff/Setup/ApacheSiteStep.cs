using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// The site in Apache: its file and Apache's server-wide settings written (no version shown, a
/// plain 404 for unknown names in place of the distribution's default site), the configuration
/// tested before anything is reloaded, the site enabled, Apache reloaded.
/// </summary>
public sealed class ApacheSiteStep : Step
{
    public override string Name => "Apache site";

    public override IEnumerable<string> Describe(SetupContext context)
    {
        var lines = new List<string>(Templates.ApacheSite(context).Describe());
        lines.AddRange(Templates.ApacheServer(context).Describe());
        if (context.Layout.ApacheServerEnabledFile is not null) lines.Add("run a2enconf stuff-server");
        if (context.Layout.DistributionDefaultSite is not null) lines.Add("run a2dissite 000-default   (its welcome page; unknown names get a 404 instead)");
        if (context.Layout.ApacheSiteEnabledFile is not null) lines.Add("run a2ensite stuff");
        lines.Add($"run {context.Layout.ApacheCtl} -t   (a failure puts the previous file back and stops here)");
        lines.Add(context.Apache.DescribeReload);
        return lines;
    }

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (Templates.ApacheSite(context).Difference() is { } difference) return difference;
        if (Templates.ApacheServer(context).Difference() is { } server) return server;
        if (context.Layout.ApacheServerEnabledFile is { } enabled && !File.Exists(enabled)) return "Apache's server-wide settings are not enabled";
        if (context.Layout.DistributionDefaultSite is { } welcome && File.Exists(welcome)) return "the distribution's default site is enabled";
        if (!context.Apache.SiteEnabled) return "the site is not enabled";
        if (context.ApacheReloadNeeded) return "Apache's modules or certificate changed";
        return await context.Apache.IsRunningAsync(cancellationToken) ? null : "Apache is not running";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var layout = context.Layout;
        var server = Templates.ApacheServer(context);
        FileSpec[] files = [Templates.ApacheSite(context), server];
        var previous = new List<(string Path, string? Text)>();
        foreach (var file in files)
        {
            previous.Add((file.Path, File.Exists(file.Path) ? await File.ReadAllTextAsync(file.Path, cancellationToken) : null));
            await file.WriteAsync(context.Shell, cancellationToken);
        }
        var welcomeWasEnabled = layout.DistributionDefaultSite is { } welcome && File.Exists(welcome);
        if (layout.ApacheServerEnabledFile is not null) await context.Shell.MustAsync("a2enconf", ["-q", "stuff-server"], cancellationToken);
        if (welcomeWasEnabled) await context.Shell.MustAsync("a2dissite", ["-q", "000-default"], cancellationToken);
        if (layout.ApacheSiteEnabledFile is not null) await context.Shell.MustAsync("a2ensite", ["-q", "stuff"], cancellationToken);

        context.Apache.PrepareRuntime();
        var test = await context.Apache.TestConfigurationAsync(cancellationToken) ?? throw new ServerException($"{layout.ApacheCtl} is not installed");
        if (!test.Ok)
        {
            foreach (var (path, text) in previous)
            {
                if (text is null) File.Delete(path);
                else await File.WriteAllTextAsync(path, text, cancellationToken);
            }
            // A link to a file that is gone would stop Apache at its next start.
            if (previous.Single(p => p.Path == server.Path).Text is null && layout.ApacheServerEnabledFile is not null) await context.Shell.TryRunAsync("a2disconf", ["-q", "stuff-server"], cancellationToken);
            if (welcomeWasEnabled) await context.Shell.TryRunAsync("a2ensite", ["-q", "000-default"], cancellationToken);
            throw new ServerException($"`{layout.ApacheCtl} -t` rejected the configuration, so the previous one was kept and Apache was not reloaded:{Environment.NewLine}{test.Tail()}");
        }

        await context.Apache.ReloadAsync(cancellationToken);
        context.ApacheReloadNeeded = false;
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
    }
}
