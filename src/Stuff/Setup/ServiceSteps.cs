using System.Net;

namespace Stuff.Setup;

public static class Templates
{
    /// <summary>The systemd unit: the analogue of mod_wsgi's daemon mode, hardened.</summary>
    public static FileSpec Unit(SetupContext context)
    {
        var layout = context.Layout;
        var content = $"""
            # Stuff, written by `stuff setup`. Re-running setup rewrites this file.
            [Unit]
            Description=Stuff web site
            After=network-online.target postgresql.service
            Wants=network-online.target

            [Service]
            # The app tells systemd when it is ready (Microsoft.Extensions.Hosting.Systemd).
            Type=notify
            User={Layout.ServiceUser}
            Group={Layout.ServiceUser}
            ExecStart={layout.Executable} serve
            WorkingDirectory={layout.BinDirectory}
            # Settings and secrets; the app reads the file itself and refuses it if others can read it.
            Environment=STUFF_ENV_FILE={layout.EnvFile}
            # Keys and the embedded database; systemd creates it owned by the service user.
            StateDirectory=stuff
            StateDirectoryMode=0700
            LogsDirectory=stuff
            Restart=on-failure
            RestartSec=2s
            # SIGTERM lets in-flight requests finish (the host waits up to 30 s).
            KillSignal=SIGTERM
            TimeoutStopSec=35s
            NoNewPrivileges=yes
            ProtectSystem=strict
            ProtectHome=yes
            PrivateTmp=yes
            PrivateDevices=yes
            ProtectKernelTunables=yes
            ProtectKernelModules=yes
            ProtectControlGroups=yes
            RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
            LockPersonality=yes
            # Not MemoryDenyWriteExecute: the .NET JIT needs executable memory.

            [Install]
            WantedBy=multi-user.target

            """;
        return new FileSpec(layout.UnitFile, "root", "root", (UnixFileMode)0b110_100_100, content);
    }

    /// <summary>The Apache site: HTTP to HTTPS, TLS per Mozilla's intermediate profile, static files served directly, the rest proxied.</summary>
    public static FileSpec ApacheSite(SetupContext context)
    {
        var layout = context.Layout;
        var settings = context.Settings;
        var basePath = settings.BasePath;
        var target = $"http://127.0.0.1:{settings.AppPort}{basePath}/";
        var logs = context.Facts.Family == Family.Debian ? "${APACHE_LOG_DIR}" : "logs";
        const string fingerprinted = @"\.[a-z0-9]{10}\.[a-z0-9]+$";
        var slashRedirect = basePath.Length > 0
            ? $"""

                # {basePath} without the slash is the same page.
                RedirectMatch 308 "^{basePath}$" "{basePath}/"
            """
            : "";
        var content = $"""
            # Stuff, written by `stuff setup`. Re-running setup rewrites this file.
            <VirtualHost *:80>
                ServerName {settings.Domain}
                # Everything moves to HTTPS, keeping the path and query.
                Redirect 308 / https://{settings.Domain}/
                ErrorLog {logs}/stuff-error.log
                CustomLog {logs}/stuff-access.log combined
            </VirtualHost>

            <VirtualHost *:443>
                ServerName {settings.Domain}
                ErrorLog {logs}/stuff-error.log
                CustomLog {logs}/stuff-access.log combined

                SSLEngine on
                SSLCertificateFile {layout.CertificateFile}
                SSLCertificateKeyFile {layout.KeyFile}
                # Mozilla "intermediate" (guidelines 6.0): TLS 1.2 and 1.3, forward-secret AEAD ciphers only.
                SSLProtocol -all +TLSv1.2 +TLSv1.3
                SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305
                SSLHonorCipherOrder off
                SSLSessionTickets off
                # The app sends the same header on its pages; setifempty keeps it to one.
                Header setifempty Strict-Transport-Security "max-age=63072000; includeSubDomains"

                # A slow client or app may hold a worker this long, and no longer.
                Timeout 60
                ProxyTimeout 60
                RequestReadTimeout header=20-40,MinRate=500 body=20,MinRate=500

                # Static files straight from disk; exclusions come before the proxy rule.
                ProxyPass {basePath}/static/ !
                Alias {basePath}/static/ {layout.StaticRoot}/static/
                <Directory {layout.StaticRoot}/static>
                    Require all granted
                    Options -Indexes
                    Header set Cache-Control "public, max-age=3600"
                    # Fingerprinted names (site.abc123def0.css) never change content.
                    <FilesMatch "{fingerprinted}">
                        Header set Cache-Control "public, max-age=31536000, immutable"
                    </FilesMatch>
                </Directory>
            {slashRedirect}
                # The app, on loopback; it trusts these forwarded headers from loopback only.
                ProxyPreserveHost On
                RequestHeader set X-Forwarded-Proto "https"
                ProxyPass {basePath}/ {target} retry=0
                ProxyPassReverse {basePath}/ {target}
            </VirtualHost>

            """;
        return new FileSpec(layout.ApacheSiteFile, "root", "root", (UnixFileMode)0b110_100_100, content);
    }
}

/// <summary>
/// The app as a service: a systemd unit where systemd runs, otherwise `stuff supervise` (a small
/// restarting supervisor with a pid file). Started or restarted when needed, then waited on until
/// /readyz answers.
/// </summary>
public sealed class ServiceStep : Step
{
    public override string Name => "App service";

    public override IEnumerable<string> Describe(SetupContext context)
    {
        var layout = context.Layout;
        if (context.Facts.HasSystemd)
            return [.. Templates.Unit(context).Describe(), "run systemctl daemon-reload", "run systemctl enable stuff", "run systemctl restart stuff   (when the release, settings or unit changed, or it is not running)", $"wait for {context.AppUrl}/readyz"];
        return [
            "(no systemd here: the app runs under `stuff supervise`, which restarts it when it fails)",
            $"run setsid -f runuser -u {Layout.ServiceUser} -- {layout.Executable} supervise --pid-file {layout.PidFile} --log-file {layout.LogFile}   (STUFF_ENV_FILE={layout.EnvFile})",
            $"stop: kill -TERM $(cat {layout.PidFile})   (when the release or settings changed)",
            $"wait for {context.AppUrl}/readyz",
        ];
    }

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.HasSystemd && Templates.Unit(context).Difference() is { } unit) return unit;
        if (!await IsRunningAsync(context, cancellationToken)) return "the app is not running";
        if (context.AppRestartNeeded) return "the release or settings changed";
        return await IsReadyAsync(context, cancellationToken) ? null : "the app is running but not ready";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.HasSystemd)
        {
            var unit = Templates.Unit(context);
            if (unit.Difference() is not null) await unit.WriteAsync(context.Shell, cancellationToken);
            await context.Shell.MustAsync("systemctl", ["daemon-reload"], cancellationToken);
            await context.Shell.MustAsync("systemctl", ["enable", "stuff"], cancellationToken);
            await context.Shell.MustAsync("systemctl", ["restart", "stuff"], cancellationToken);
        }
        else
        {
            await Supervisor.StopAsync(context.Layout.PidFile, cancellationToken);
            await Supervisor.StartAsync(context, cancellationToken);
        }
        await WaitUntilReadyAsync(context, cancellationToken);
        context.AppRestartNeeded = false;
    }

    private static async Task<bool> IsRunningAsync(SetupContext context, CancellationToken cancellationToken) =>
        context.Facts.HasSystemd
            ? (await context.Shell.RunAsync("systemctl", ["is-active", "--quiet", "stuff"], cancellationToken)).Ok
            : Supervisor.RunningPid(context.Layout.PidFile) is not null;

    public static async Task<bool> IsReadyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(context.AppUrl + "/readyz", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task WaitUntilReadyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await IsReadyAsync(context, cancellationToken)) return;
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        var log = context.Facts.HasSystemd
            ? (await context.Shell.RunAsync("journalctl", ["-u", "stuff", "-n", "20", "--no-pager"], cancellationToken)).Output
            : File.Exists(context.Layout.LogFile) ? string.Join(Environment.NewLine, File.ReadLines(context.Layout.LogFile).TakeLast(20)) : "(no log yet)";
        throw new StepFailedException($"the app did not become ready at {context.AppUrl}/readyz within 60 s. Its last log lines:{Environment.NewLine}{log}");
    }
}

/// <summary>The site in Apache: file written, config tested before anything is reloaded, site enabled, Apache reloaded.</summary>
public sealed class ApacheSiteStep : Step
{
    public override string Name => "Apache site";

    public override IEnumerable<string> Describe(SetupContext context)
    {
        var lines = new List<string>(Templates.ApacheSite(context).Describe());
        if (context.Facts.Family == Family.Debian) lines.Add("run a2ensite stuff");
        lines.Add($"run {context.Layout.ApacheCtl} -t   (a failure puts the previous file back and stops here)");
        lines.Add(context.Facts.HasSystemd ? $"run systemctl enable {context.Layout.ApacheService}; systemctl reload-or-restart {context.Layout.ApacheService}" : $"run {context.Layout.ApacheCtl} graceful");
        return lines;
    }

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (Templates.ApacheSite(context).Difference() is { } difference) return difference;
        if (context.Facts.Family == Family.Debian && !File.Exists("/etc/apache2/sites-enabled/stuff.conf")) return "the site is not enabled";
        if (context.ApacheReloadNeeded) return "Apache's modules or certificate changed";
        return await IsServingAsync(context, cancellationToken) ? null : "Apache is not running";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var site = Templates.ApacheSite(context);
        var previous = File.Exists(site.Path) ? await File.ReadAllTextAsync(site.Path, cancellationToken) : null;
        await site.WriteAsync(context.Shell, cancellationToken);
        if (context.Facts.Family == Family.Debian)
            await context.Shell.MustAsync("a2ensite", ["-q", "stuff"], cancellationToken);

        var test = await context.Shell.RunAsync(context.Layout.ApacheCtl, ["-t"], cancellationToken);
        if (!test.Ok)
        {
            if (previous is null) File.Delete(site.Path);
            else await File.WriteAllTextAsync(site.Path, previous, cancellationToken);
            throw new StepFailedException($"`{context.Layout.ApacheCtl} -t` rejected the configuration, so the previous one was kept and Apache was not reloaded:{Environment.NewLine}{test.Tail()}");
        }

        if (context.Facts.HasSystemd)
        {
            await context.Shell.MustAsync("systemctl", ["enable", context.Layout.ApacheService], cancellationToken);
            await context.Shell.MustAsync("systemctl", ["reload-or-restart", context.Layout.ApacheService], cancellationToken);
        }
        else
        {
            // graceful starts Apache when it is not running, and lets in-flight requests finish when it is.
            await context.Shell.MustAsync(context.Layout.ApacheCtl, ["graceful"], cancellationToken);
        }
        context.ApacheReloadNeeded = false;
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
    }

    private static async Task<bool> IsServingAsync(SetupContext context, CancellationToken cancellationToken) =>
        context.Facts.HasSystemd
            ? (await context.Shell.RunAsync("systemctl", ["is-active", "--quiet", context.Layout.ApacheService], cancellationToken)).Ok
            : (await context.Shell.RunAsync("pgrep", ["-x", context.Layout.ApacheService], cancellationToken)).Ok;
}

/// <summary>The promise, checked from outside: HTTP redirects to HTTPS, and the list page answers over HTTPS through Apache.</summary>
public sealed class VerifyStep : Step
{
    public override string Name => "Site answers over HTTPS";

    public override bool VerifiesOnly => true;

    public override IEnumerable<string> Describe(SetupContext context) =>
        [$"GET http://{context.Settings.Domain}{context.Settings.BasePath}/ expects a redirect to https", $"GET https://{context.Settings.Domain}{context.Settings.BasePath}/ expects 200 (via 127.0.0.1)"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var domain = context.Settings.Domain;
        var path = context.Settings.BasePath + "/";
        // A self-signed certificate is the point of --tls self-signed; a given one must validate.
        using var client = LocalApache.Client(acceptAnyCertificate: context.Settings.Tls == TlsMode.SelfSigned, TimeSpan.FromSeconds(15));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var http = await client.GetAsync($"http://{domain}{path}", cancellationToken);
                if ((int)http.StatusCode is not (301 or 302 or 307 or 308) || http.Headers.Location?.Scheme != "https")
                    return $"http://{domain}{path} answered {(int)http.StatusCode}, not a redirect to HTTPS";
                using var https = await client.GetAsync($"https://{domain}{path}", cancellationToken);
                return https.StatusCode == HttpStatusCode.OK ? null : $"https://{domain}{path} answered {(int)https.StatusCode}";
            }
            catch (HttpRequestException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (HttpRequestException e)
            {
                return $"https://{domain}{path} could not be reached: {e.Message}";
            }
        }
    }

    public override Task ApplyAsync(SetupContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Requests to Apache on this machine, whatever the site's name resolves to from here.</summary>
public static class LocalApache
{
    public static HttpClient Client(bool acceptAnyCertificate, TimeSpan timeout) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (endpoint, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, endpoint.DnsEndPoint.Port, token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, errors) => acceptAnyCertificate || errors == System.Net.Security.SslPolicyErrors.None },
        }, disposeHandler: true)
        { Timeout = timeout };
}
