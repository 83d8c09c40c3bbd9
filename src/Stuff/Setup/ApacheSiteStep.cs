using Stuff.Server;

namespace Stuff.Setup;

/// <summary>The site in Apache: file written, config tested before anything is reloaded, site enabled, Apache reloaded.</summary>
public sealed class ApacheSiteStep : Step
{
    public override string Name => "Apache site";

    public override IEnumerable<string> Describe(SetupContext context)
    {
        var lines = new List<string>(Templates.ApacheSite(context).Describe());
        if (context.Layout.ApacheSiteEnabledFile is not null) lines.Add("run a2ensite stuff");
        lines.Add($"run {context.Layout.ApacheCtl} -t   (a failure puts the previous file back and stops here)");
        lines.Add(context.Apache.DescribeReload);
        return lines;
    }

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (Templates.ApacheSite(context).Difference() is { } difference) return difference;
        if (!context.Apache.SiteEnabled) return "the site is not enabled";
        if (context.ApacheReloadNeeded) return "Apache's modules or certificate changed";
        return await context.Apache.IsRunningAsync(cancellationToken) ? null : "Apache is not running";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var site = Templates.ApacheSite(context);
        var previous = File.Exists(site.Path) ? await File.ReadAllTextAsync(site.Path, cancellationToken) : null;
        await site.WriteAsync(context.Shell, cancellationToken);
        if (context.Layout.ApacheSiteEnabledFile is not null)
            await context.Shell.MustAsync("a2ensite", ["-q", "stuff"], cancellationToken);

        context.Apache.PrepareRuntime();
        var test = await context.Apache.TestConfigurationAsync(cancellationToken) ?? throw new ServerException($"{context.Layout.ApacheCtl} is not installed");
        if (!test.Ok)
        {
            if (previous is null) File.Delete(site.Path);
            else await File.WriteAllTextAsync(site.Path, previous, cancellationToken);
            throw new ServerException($"`{context.Layout.ApacheCtl} -t` rejected the configuration, so the previous one was kept and Apache was not reloaded:{Environment.NewLine}{test.Tail()}");
        }

        await context.Apache.ReloadAsync(cancellationToken);
        context.ApacheReloadNeeded = false;
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
    }
}
