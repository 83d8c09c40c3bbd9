using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>Security updates install themselves, and no reboot is waiting after one.</summary>
public sealed class AutoUpdatesCheck : DoctorCheck
{
    private const string Id = "updates";
    private const string Name = "Security updates";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var updates = new AutoUpdates(context.Shell, context.Facts.Family, context.Facts.HasSystemd);
        var findings = new List<Finding>();
        if (await updates.OffBecauseAsync(cancellationToken) is { } off)
        {
            findings.Add(Finding.Warning(Id, Name, "automatic security updates are off", $"{off}: fixes for Apache, PostgreSQL, OpenSSL and the kernel wait for someone to install them",
                $"{updates.TurnOnCommand}\nor run setup again without --no-auto-updates"));
        }
        else
        {
            findings.Add(Finding.Ok(Id, Name, $"{updates.Package} installs security updates by itself"));
        }
        if (await updates.RebootDueAsync(cancellationToken) is { } due)
            findings.Add(Finding.Warning("reboot", "Reboot", $"a reboot is due after updates ({due})", "the updates are installed but the running kernel or libraries are still the old ones",
                "sudo reboot   (the site starts again by itself; with several servers behind a balancer, one at a time)"));
        return findings;
    }
}
