namespace Stuff.Server;

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

    /// <summary>The scratch database `stuff backup --verify` loads a backup into and empties again.</summary>
    public const string DrillDatabase = Database + Configuration.DatabaseUrl.DrillSuffix;

    /// <summary>
    /// True for root on a host where the service user exists (a server setup made): the
    /// commands that write the service's files do it as that user, as the service does.
    /// </summary>
    public static bool RootWithServiceUser() =>
        OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess && File.Exists("/etc/passwd")
        && File.ReadLines("/etc/passwd").Any(l => l.StartsWith(ServiceUser + ":", StringComparison.Ordinal));

    public string AppRoot => Configuration.EnvFile.InstalledRoot;
    public string Executable => "/opt/stuff/bin/stuff";

    /// <summary>The command on the PATH: a link to the live release's executable.</summary>
    public string CommandLink => "/usr/local/bin/stuff";
    public string StaticRoot => "/var/www/stuff";
    public string ConfigDirectory => Path.GetDirectoryName(EnvFile)!;
    public string EnvFile => Configuration.EnvFile.InstalledPath;

    /// <summary>The certificate and key that encrypt a key ring shared in the database (STUFF_KEYS_CERTIFICATE); the same file on every app host.</summary>
    public static string KeysCertificateFile => Path.Combine(Path.GetDirectoryName(Configuration.EnvFile.InstalledPath)!, "keys.pem");
    public const string DefaultDataDirectory = "/var/lib/stuff";
    public string DataDirectory => DefaultDataDirectory;
    public string LogDirectory => "/var/log/stuff";
    public string BackupDirectory => Configuration.StuffOptions.DefaultBackupDirectory;
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

    /// <summary>
    /// Stuff's server-wide Apache settings: on Debian a conf-available file (read before the
    /// sites, once a2enconf enabled it); on Fedora/RHEL first in conf.d, before the sites there.
    /// </summary>
    public string ApacheServerFile => Family == Family.Debian ? "/etc/apache2/conf-available/stuff-server.conf" : "/etc/httpd/conf.d/00-stuff-server.conf";

    /// <summary>The link a2enconf makes on Debian; null where every file in conf.d is read.</summary>
    public string? ApacheServerEnabledFile => Family == Family.Debian ? "/etc/apache2/conf-enabled/stuff-server.conf" : null;

    /// <summary>The distribution's default site when it is enabled (Debian's welcome page), which setup's default site replaces.</summary>
    public string? DistributionDefaultSite => Family == Family.Debian ? "/etc/apache2/sites-enabled/000-default.conf" : null;

    /// <summary>The link a2ensite makes on Debian; null where every file in conf.d is read.</summary>
    public string? ApacheSiteEnabledFile => Family == Family.Debian ? "/etc/apache2/sites-enabled/stuff.conf" : null;

    /// <summary>The site's log directory as its file names it (Debian's envvars define APACHE_LOG_DIR), and the error log's real path.</summary>
    public string ApacheLogs => Family == Family.Debian ? "${APACHE_LOG_DIR}" : "logs";
    public string ApacheErrorLog => Family == Family.Debian ? "/var/log/apache2/stuff-error.log" : "/var/log/httpd/stuff-error.log";

    /// <summary>Apache's own error log, where mod_md writes what the certificate authority answered.</summary>
    public string ApacheMainErrorLog => Family == Family.Debian ? "/var/log/apache2/error.log" : "/var/log/httpd/error_log";

    /// <summary>The user Apache's children run as, and mod_md's message command with them.</summary>
    public string ApacheUser => Family == Family.Debian ? "www-data" : "apache";

    /// <summary>mod_md's store (its default, MDStoreDir): accounts, certificates, keys, and staged renewals.</summary>
    public string MdStore => Family == Family.Debian ? "/etc/apache2/md" : "/var/lib/httpd/md";

    public string CertificateFile => Family == Family.Debian ? "/etc/ssl/certs/stuff.crt" : "/etc/pki/tls/certs/stuff.crt";
    public string KeyFile => Family == Family.Debian ? "/etc/ssl/private/stuff.key" : "/etc/pki/tls/private/stuff.key";

    public string PgHbaFile => Family == Family.Debian
        ? $"/etc/postgresql/{PostgresVersion}/main/pg_hba.conf"
        : "/var/lib/pgsql/data/pg_hba.conf";

    public IReadOnlyList<string> Packages => Family == Family.Debian
        ? ["apache2", "postgresql", "openssl"]
        : ["httpd", "mod_ssl", "mod_md", "mod_http2", "postgresql-server", "openssl", "policycoreutils-python-utils"];
}
