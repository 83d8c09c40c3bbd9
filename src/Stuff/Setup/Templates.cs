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
        }));
    }

    /// <summary>/etc/stuff/stuff.env; its shown form has a placeholder where the password goes.</summary>
    public static FileSpec EnvFile(SetupContext context, string password, string shownPassword)
    {
        string Render(string secret) => ServerFiles.Render("stuff.env", new Dictionary<string, object>
        {
            ["user"] = Layout.ServiceUser,
            ["password"] = secret,
            ["database"] = Layout.Database,
            ["domain"] = context.Settings.Domain,
            ["base_path"] = context.Settings.BasePath,
            ["data_directory"] = context.Layout.DataDirectory,
            ["allowed_hosts"] = context.Settings.Domain == "localhost" ? "localhost;127.0.0.1" : context.Settings.Domain,
            // With app servers on other hosts, every one must accept the others' cookies and forms.
            ["shared_keys"] = context.Settings.AppHosts.Count > 0,
        });
        return new FileSpec(context.Layout.EnvFile, "root", Layout.ServiceUser, rw_r_____, Render(password), Render(shownPassword));
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
            ["backup_directory"] = layout.BackupDirectory,
            ["log_directory"] = layout.LogDirectory,
        };
        if (!context.Facts.HasSystemd)
        {
            yield return new FileSpec(Backups.BackupSchedule.CronFile, "root", "root", rw_r__r__, ServerFiles.Render("stuff-backup.cron", values));
            yield break;
        }
        yield return new FileSpec($"/etc/systemd/system/{Backups.BackupSchedule.ServiceUnit}", "root", "root", rw_r__r__, ServerFiles.Render("stuff-backup.service", values));
        yield return new FileSpec($"/etc/systemd/system/{Backups.BackupSchedule.TimerUnit}", "root", "root", rw_r__r__, ServerFiles.Render("stuff-backup.timer", values));
    }
}
