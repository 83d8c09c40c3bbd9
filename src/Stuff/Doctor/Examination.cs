namespace Stuff.Doctor;

/// <summary>The doctor's checks, in the order a site depends on them: settings, database, app, Apache, outside.</summary>
public static class Examination
{
    public static IReadOnlyList<DoctorCheck> Checks() =>
    [
        new EnvFileCheck(),
        new SettingsCheck(),
        new DatabaseCheck(),
        new MigrationsCheck(),
        new KeysCheck(),
        new StaticFilesCheck(),
        new BackupsCheck(),
        new OffsiteCheck(),
        new ServiceCheck(),
        new AppCheck(),
        new ApacheCheck(),
        new BalancerCheck(),
        new TlsCheck(),
        new FrontDoorCheck(),
        new FirewallCheck(),
        new SelinuxCheck(),
        new PermissionsCheck(),
        new DiskCheck(),
        new ClockCheck(),
        new AutoUpdatesCheck(),
    ];

    /// <summary>Runs every check; one that throws is reported as failed rather than ending the report.</summary>
    public static async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        foreach (var check in Checks())
        {
            try
            {
                findings.AddRange(await check.RunAsync(context, cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One check that cannot run must not hide the others' findings.
                var name = check.GetType().Name.Replace("Check", "", StringComparison.Ordinal);
                findings.Add(Finding.Failed(name.ToLowerInvariant(), name, "the check itself could not run", e.Message,
                    e is UnauthorizedAccessException or IOException
                        ? "run the doctor as root (sudo), which can read every file it looks at"
                        : "this is a fault in the doctor itself; the other lines still stand"));
            }
        }
        return findings;
    }
}
