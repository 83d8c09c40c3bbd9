namespace Stuff.Setup;

public enum TlsMode { SelfSigned, Provided, Acme }

/// <summary>What the person asked for on the command line.</summary>
public sealed record SetupSettings(
    string Domain,
    string BasePath,
    TlsMode Tls,
    string? CertificateFile,
    string? KeyFile,
    string SourceDirectory,
    int Instances = 1)
{
    /// <summary>App servers on other hosts that Apache's balancer sends requests to besides this host's instances.</summary>
    public IReadOnlyList<AppHost> AppHosts { get; init; } = [];

    /// <summary>How long a new release has to answer /readyz before it is stopped and the live one kept.</summary>
    public TimeSpan ReadyWithin { get; init; } = DefaultReadyWithin;

    public static readonly TimeSpan DefaultReadyWithin = TimeSpan.FromSeconds(60);

    /// <summary>Turn on the distribution's automatic security updates (off with --no-auto-updates: left as they are).</summary>
    public bool AutoUpdates { get; init; } = true;

    /// <summary>With --tls acme: the certificate authority, contact and challenge mod_md uses.</summary>
    public Server.AcmeSettings? Acme { get; init; }

    /// <summary>How long setup waits for the first certificate from the certificate authority.</summary>
    public TimeSpan AcmeWithin { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The off-site restic repository the backups are sent to, and its password; null for none.</summary>
    public Backups.OffsiteRepository? Offsite { get; init; }

    /// <summary>The repository was given on this run's command line (not only kept as installed).</summary>
    public bool OffsiteGiven { get; init; }

    /// <summary>Apache reaches the app through its balancer rather than straight to the one instance.</summary>
    public bool Balanced => Instances > 1 || AppHosts.Count > 0;
}
