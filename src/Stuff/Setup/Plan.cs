namespace Stuff.Setup;

/// <summary>The steps of `stuff setup`, in order. The same objects serve the run, the dry run and the tests.</summary>
public static class Plan
{
    public static IReadOnlyList<Step> Steps() =>
    [
        new PackagesStep(),
        new AutoUpdatesStep(),
        new ApacheModulesStep(),
        new PostgresServerStep(),
        new UsersStep(),
        new DirectoriesStep(),
        new OffsiteRepositoryStep(),
        new ReleaseStep(),
        new CommandLinkStep(),
        new FilesStep("Settings and secrets", c => [Secrets.EnvFileSpec(c), .. Secrets.KeyRingSpecs(c)], restartsApp: true),
        new PostgresRoleStep(),
        new PgHbaStep(),
        new FirewallStep(),
        new TlsStep(),
        new AcmeRenewalStep(),
        new SelinuxStep(),
        new BackupBeforeMigrationsStep(),
        new MigrateStep(),
        new CollectStaticStep(),
        new BackupScheduleStep(),
        new ServiceStep(),
        new ApacheSiteStep(),
        new AcmeCertificateStep(),
        new RetireStep(),
        new VerifyStep(),
    ];
}
