using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Setup;

/// <summary>The files setup writes, rendered from deploy/server/ with this server's values.</summary>
public static class Templates
{
    private const UnixFileMode rw_r__r__ = (UnixFileMode)0b110_100_100;
    private const UnixFileMode rw_r_____ = (UnixFileMode)0b110_100_000;

    /// <summary>
    /// The systemd unit: the analogue of mod_wsgi's daemon mode, hardened. A template: stuff@5080
    /// runs the release slot 5080 names on that port, so a new release starts beside the live one.
    /// </summary>
    public static FileSpec Unit(SetupContext context)
    {
        var slot = Path.Combine(context.Releases.SlotsDirectory, "%i");
        var log = DirectoriesStep.Wanted(context.Layout, !context.Facts.HasSystemd).Single(d => d.Path == context.Layout.LogDirectory);
        return new FileSpec(context.Layout.UnitFile, "root", "root", rw_r__r__, ServerFiles.Render("stuff@.service", new Dictionary<string, object>
        {
            ["slots"] = context.Releases.SlotsDirectory,
            ["user"] = Layout.ServiceUser,
            ["executable"] = ReleaseStore.ExecutableOf(slot),
            ["working_directory"] = ReleaseStore.BinOf(slot),
            ["env_file"] = context.Layout.EnvFile,
            ["log_directory_mode"] = FileModes.Octal(log.Mode),
        }));
    }

    /// <summary>The Apache site: HTTP to HTTPS, TLS per Mozilla's intermediate profile, static files served directly, the rest proxied.</summary>
    public static FileSpec ApacheSite(SetupContext context)
    {
        var layout = context.Layout;
        var settings = context.Settings;
        var basePath = settings.BasePath;
        // One instance: straight to it. Several, or app servers on other hosts (--app-host): the
        // balancer, this host's own instances first.
        var balanced = settings.Balanced;
        var members = context.LivePorts.Select(p => $"http://127.0.0.1:{p}").Concat(settings.AppHosts.Select(h => h.Url)).ToList();
        return new FileSpec(layout.ApacheSiteFile, "root", "root", rw_r__r__, ServerFiles.Render("apache-site.conf", new Dictionary<string, object>
        {
            ["domain"] = settings.Domain,
            ["logs"] = layout.ApacheLogs,
            ["certificate_file"] = layout.CertificateFile,
            ["key_file"] = layout.KeyFile,
            ["max_request_body"] = Hosting.StuffHost.MaxRequestBodyBytes,
            ["base_path"] = basePath,
            ["has_base_path"] = basePath.Length > 0,
            ["static_root"] = layout.StaticRoot,
            ["balanced"] = balanced,
            ["members"] = balanced ? members : [],
            ["target"] = balanced ? $"balancer://stuff{basePath}/" : $"http://127.0.0.1:{context.LivePort}{basePath}/",
            ["acme"] = settings.Acme is not null,
            ["acme_ca"] = settings.Acme?.Ca ?? "",
            ["acme_email"] = settings.Acme?.Email ?? "",
            ["acme_ca_root"] = settings.Acme?.CaRoot is null ? false : AcmeSettings.CaRootCopy,
            ["acme_challenge"] = settings.Acme?.Challenge ?? "",
            ["acme_alpn"] = settings.Acme?.Challenge == AcmeSettings.TlsAlpn01,
            ["acme_check_interval"] = settings.Acme?.CheckIntervalSeconds is { } seconds ? $"{seconds}s" : false,
            ["acme_message_command"] = AcmeSettings.MessageCommand,
            ["acme_reloader"] = context.Facts.HasSystemd ? AcmeSettings.ReloadPathUnit : AcmeSettings.ReloadCronFile,
            ["acme_status_path"] = AcmeSettings.StatusPath,
            ["content_security_policy"] = Hosting.SecurityHeaders.ContentSecurityPolicy,
            ["referrer_policy"] = Hosting.SecurityHeaders.ReferrerPolicy,
            ["strict_transport_security"] = Hosting.SecurityHeaders.StrictTransportSecurity,
        }));
    }

    /// <summary>
    /// Apache's server-wide settings: no version in its headers or pages, no TRACE, a plain 404 for
    /// names no site serves, and as many workers as the host's memory allows (<see cref="ApacheWorkers"/>).
    /// </summary>
    public static FileSpec ApacheServer(SetupContext context) =>
        new(context.Layout.ApacheServerFile, "root", "root", rw_r__r__, ServerFiles.Render("apache-server.conf", new Dictionary<string, object>
        {
            ["memory"] = context.Facts.MemoryMegabytes > 0 ? $"{context.Facts.MemoryMegabytes} MB of memory" : "memory that could not be read",
            ["workers"] = ApacheWorkers.MaxRequestWorkers(context.Facts.MemoryMegabytes),
            ["workers_per_process"] = ApacheWorkers.PerProcess,
            ["spare_workers"] = ApacheWorkers.PerProcess,
            ["most_spare_workers"] = 2 * ApacheWorkers.PerProcess,
        }));

    /// <summary>
    /// What serves a renewed certificate without a person: mod_md's message command, and as root a
    /// systemd path unit (or a cron entry where systemd does not run) that reloads Apache gracefully.
    /// </summary>
    public static IEnumerable<FileSpec> AcmeReload(SetupContext context)
    {
        var layout = context.Layout;
        var values = new Dictionary<string, object>
        {
            ["renewed_flag"] = AcmeSettings.RenewedFlag,
            ["reloader"] = context.Facts.HasSystemd ? AcmeSettings.ReloadPathUnit : AcmeSettings.ReloadCronFile,
            ["service_unit"] = AcmeSettings.ReloadServiceUnit,
            ["apache_service"] = layout.ApacheService,
            ["apache_ctl"] = layout.ApacheCtl,
        };
        yield return new FileSpec(AcmeSettings.MessageCommand, "root", "root", (UnixFileMode)0b111_101_101, ServerFiles.Render("acme-message", values));
        if (!context.Facts.HasSystemd)
        {
            yield return new FileSpec(AcmeSettings.ReloadCronFile, "root", "root", rw_r__r__, ServerFiles.Render("stuff-acme-reload.cron", values));
            yield break;
        }
        yield return new FileSpec($"/etc/systemd/system/{AcmeSettings.ReloadPathUnit}", "root", "root", rw_r__r__, ServerFiles.Render("stuff-acme-reload.path", values));
        yield return new FileSpec($"/etc/systemd/system/{AcmeSettings.ReloadServiceUnit}", "root", "root", rw_r__r__, ServerFiles.Render("stuff-acme-reload.service", values));
    }

    /// <summary>/etc/stuff/stuff.env; its shown form has a placeholder where the password goes.</summary>
    public static FileSpec EnvFile(SetupContext context, string password, string shownPassword)
    {
        string Render(string secret, bool shown = false) => ServerFiles.Render("stuff.env", new Dictionary<string, object>
        {
            ["offsite"] = context.Settings.Offsite is not null,
            ["backup_repository"] = (shown ? context.Settings.Offsite?.Display : context.Settings.Offsite?.Url) ?? "",
            ["backup_password"] = shown ? "<given or generated, kept after>" : context.Settings.Offsite?.Password ?? "",
            ["has_backup_credentials"] = context.Settings.Offsite?.Credentials.Count > 0,
            ["backup_credentials"] = (context.Settings.Offsite?.Credentials ?? new Dictionary<string, string>())
                .Select(c => shown ? $"{c.Key}=<kept>" : $"{c.Key}='{c.Value}'").ToList(),
            ["user"] = Layout.ServiceUser,
            ["password"] = secret,
            ["database"] = Layout.Database,
            ["domain"] = context.Settings.Domain,
            ["base_path"] = context.Settings.BasePath,
            ["data_directory"] = context.Layout.DataDirectory,
            ["allowed_hosts"] = context.Settings.Domain == "localhost" ? "localhost;127.0.0.1" : context.Settings.Domain,
            // With app servers on other hosts, every one must accept the others' cookies and forms.
            ["shared_keys"] = context.Settings.AppHosts.Count > 0,
            ["keys_certificate"] = Layout.KeysCertificateFile,
        });
        return new FileSpec(context.Layout.EnvFile, "root", Layout.ServiceUser, rw_r_____, Render(password), Render(shownPassword, shown: true));
    }

    /// <summary>The daily backup: a systemd service and timer, or a cron entry where systemd does not run.</summary>
    public static IEnumerable<FileSpec> BackupSchedule(SetupContext context)
    {
        var layout = context.Layout;
        var values = new Dictionary<string, object>
        {
            ["user"] = Layout.ServiceUser,
            ["env_file"] = layout.EnvFile,
            ["command"] = $"{layout.Executable} backup --keep {Backups.BackupSchedule.Keep}",
            ["verify_command"] = $"{layout.Executable} backup --verify",
            ["backup_directory"] = layout.BackupDirectory,
            ["data_directory"] = layout.DataDirectory,
            ["log_directory"] = layout.LogDirectory,
            // "-": a repository disk that is not mounted fails the off-site copy, not the local backup.
            ["repository_path"] = context.Settings.Offsite?.LocalPath is { } path ? " -" + path : "",
        };
        if (!context.Facts.HasSystemd)
        {
            yield return new FileSpec(Backups.BackupSchedule.CronFile, "root", "root", rw_r__r__, ServerFiles.Render("stuff-backup.cron", values));
            yield break;
        }
        yield return new FileSpec($"/etc/systemd/system/{Backups.BackupSchedule.ServiceUnit}", "root", "root", rw_r__r__, ServerFiles.Render("stuff-backup.service", values));
        yield return new FileSpec($"/etc/systemd/system/{Backups.BackupSchedule.TimerUnit}", "root", "root", rw_r__r__, ServerFiles.Render("stuff-backup.timer", values));
        yield return new FileSpec($"/etc/systemd/system/{Backups.BackupSchedule.VerifyServiceUnit}", "root", "root", rw_r__r__, ServerFiles.Render("stuff-backup-verify.service", values));
        yield return new FileSpec($"/etc/systemd/system/{Backups.BackupSchedule.VerifyTimerUnit}", "root", "root", rw_r__r__, ServerFiles.Render("stuff-backup-verify.timer", values));
    }
}
