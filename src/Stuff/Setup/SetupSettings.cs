namespace Stuff.Setup;

public enum TlsMode { SelfSigned, Provided }

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

    /// <summary>Apache reaches the app through its balancer rather than straight to the one instance.</summary>
    public bool Balanced => Instances > 1 || AppHosts.Count > 0;
}

/// <summary>An app server on another host: `stuff serve` listening on its private address.</summary>
public sealed record AppHost(string Host, int Port)
{
    /// <summary>The balancer member's URL, http://10.0.0.11:5080 (IPv6 in brackets).</summary>
    public string Url => $"http://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";

    /// <summary>HOST:PORT, [IPv6]:PORT; null when it is not one, or names a port setup runs this host's instances on.</summary>
    public static AppHost? Parse(string value)
    {
        value = value.Trim();
        var colon = value.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(value[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)
            || !Uri.TryCreate("http://" + value, UriKind.Absolute, out var uri) || uri.PathAndQuery != "/" || uri.UserInfo.Length > 0)
            return null;
        if (uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6 or UriHostNameType.Dns) || ReleaseStore.IsInstanceAddress(uri)) return null;
        return new AppHost(uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host, uri.Port);
    }

    /// <summary>The app hosts a site file setup wrote sends requests to: its balancer members that are not this host's instances.</summary>
    public static IReadOnlyList<AppHost> InSite(string siteFile) =>
        Doctor.ApacheSite.Read(siteFile) is { } site
            ? [.. site.BalancerMembers.Select(m => m.StartsWith("http://", StringComparison.Ordinal) ? Parse(m["http://".Length..]) : null).OfType<AppHost>()]
            : [];
}

/// <summary>
/// Where everything goes on the server. Releases live under /opt/stuff/releases/*/bin, which
/// SELinux labels bin_t, so systemd may run them, and /opt/stuff/bin is the live one (see
/// <see cref="ReleaseStore"/>); static files live under /var/www, which is
/// httpd_sys_content_t, so Apache may read them; state lives in /var/lib/stuff.
/// </summary>
public sealed record Layout(Family Family, int PostgresVersion)
{
    public const string ServiceUser = "stuff";
    public const string DeployGroup = "webadmin";
    public const string Database = "stuff";

    public string AppRoot => Configuration.EnvFile.InstalledRoot;
    public string Executable => "/opt/stuff/bin/stuff";
    public string StaticRoot => "/var/www/stuff";
    public string ConfigDirectory => Path.GetDirectoryName(EnvFile)!;
    public string EnvFile => Configuration.EnvFile.InstalledPath;
    public string DataDirectory => "/var/lib/stuff";
    public string LogDirectory => "/var/log/stuff";
    public string BackupDirectory => "/var/backups/stuff";
    public string RunDirectory => "/run/stuff";

    /// <summary>The instance on a slot's port: its systemd unit, or its supervisor's pid and log files.</summary>
    public static string Unit(int port) => $"stuff@{port}";
    public string PidFile(int port) => $"/run/stuff/stuff-{port}.pid";
    public string LogFile(int port) => $"/var/log/stuff/stuff-{port}.log";
    public string UnitFile => "/etc/systemd/system/stuff@.service";

    /// <summary>What the layout before releases ran: one unit or supervisor, on port 5080.</summary>
    public string LegacyUnitFile => "/etc/systemd/system/stuff.service";
    public string LegacyPidFile => "/run/stuff/stuff.pid";

    public ReleaseStore Releases => new(AppRoot);

    public string ApacheService => Family == Family.Debian ? "apache2" : "httpd";
    public string ApacheCtl => Family == Family.Debian ? "apache2ctl" : "apachectl";
    public string ApacheSiteFile => Family == Family.Debian ? "/etc/apache2/sites-available/stuff.conf" : "/etc/httpd/conf.d/stuff.conf";

    public string CertificateFile => Family == Family.Debian ? "/etc/ssl/certs/stuff.crt" : "/etc/pki/tls/certs/stuff.crt";
    public string KeyFile => Family == Family.Debian ? "/etc/ssl/private/stuff.key" : "/etc/pki/tls/private/stuff.key";

    public string PgHbaFile => Family == Family.Debian
        ? $"/etc/postgresql/{PostgresVersion}/main/pg_hba.conf"
        : "/var/lib/pgsql/data/pg_hba.conf";

    public IReadOnlyList<string> Packages => Family == Family.Debian
        ? ["apache2", "postgresql", "openssl"]
        : ["httpd", "mod_ssl", "postgresql-server", "openssl", "policycoreutils-python-utils"];
}
