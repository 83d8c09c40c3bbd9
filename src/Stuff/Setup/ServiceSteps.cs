using System.Net;

namespace Stuff.Setup;

public static class Templates
{
    /// <summary>
    /// The systemd unit: the analogue of mod_wsgi's daemon mode, hardened. A template: stuff@5080
    /// runs the release slot 5080 names on that port, so a new release starts beside the live one.
    /// </summary>
    public static FileSpec Unit(SetupContext context)
    {
        var layout = context.Layout;
        var slot = Path.Combine(context.Releases.SlotsDirectory, "%i");
        var content = $"""
            # Stuff, written by `stuff setup`. Re-running setup rewrites this file.
            # One instance per slot: stuff@5080, stuff@5081; {context.Releases.SlotsDirectory}/PORT names its release.
            [Unit]
            Description=Stuff web site on port %i
            After=network-online.target postgresql.service
            Wants=network-online.target

            [Service]
            # The app tells systemd when it is ready (Microsoft.Extensions.Hosting.Systemd).
            Type=notify
            User={Layout.ServiceUser}
            Group={Layout.ServiceUser}
            ExecStart={ReleaseStore.ExecutableOf(slot)} serve --urls http://127.0.0.1:%i
            WorkingDirectory={ReleaseStore.BinOf(slot)}
            # Settings and secrets; the app reads the file itself and refuses it if others can read it.
            Environment=STUFF_ENV_FILE={layout.EnvFile}
            # Keys and the embedded database; systemd creates it owned by the service user.
            StateDirectory=stuff
            StateDirectoryMode=0700
            # The log directory as setup makes it (stuff:stuff 0750); without a mode systemd puts 0755 back at every start.
            LogsDirectory=stuff
            LogsDirectoryMode=0750
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
        // One instance: straight to it. Several: Apache's balancer spreads requests over them and
        // sends a request on to another when one does not answer.
        // App servers on other hosts (--app-host) are members too, after this host's own.
        var single = !context.Settings.Balanced;
        var target = single ? $"http://127.0.0.1:{context.LivePort}{basePath}/" : $"balancer://stuff{basePath}/";
        var urls = context.LivePorts.Select(p => $"http://127.0.0.1:{p}").Concat(context.Settings.AppHosts.Select(h => h.Url));
        var members = single ? "" : string.Concat(urls.Select(url => $"""

                    BalancerMember "{url}" retry=5
            """));
        var balancer = single ? "" : $"""

                <Proxy "balancer://stuff">{members}
                    ProxySet lbmethod=byrequests
                </Proxy>
            """;
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
                # The app reads no body larger than this either; Apache refuses it before proxying.
                LimitRequestBody {Hosting.StuffHost.MaxRequestBodyBytes}

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
                # The app, on loopback (the live release's slot; setup switches it with a graceful
                # reload); it trusts these forwarded headers from loopback only.{balancer}
                ProxyPreserveHost On
                RequestHeader set X-Forwarded-Proto "https"
                ProxyPass {basePath}/ {target}{(single ? " retry=0" : "")}
                ProxyPassReverse {basePath}/ {target}
            </VirtualHost>

            """;
        return new FileSpec(layout.ApacheSiteFile, "root", "root", (UnixFileMode)0b110_100_100, content);
    }
}

/// <summary>
/// The release as a service, started beside the live one: a systemd unit per slot where systemd
/// runs, otherwise `stuff supervise`. The release starts on the idle slot's port and must answer
/// /readyz before it goes live; if it never does, it is stopped and the live one keeps serving.
/// Apache is switched to it by the next step, and the old one stopped after that.
/// </summary>
public sealed class ServiceStep : Step
{
    public override string Name => "App service";

    public override IEnumerable<string> Describe(SetupContext context)
    {
        var idle = context.Releases.IdlePort;
        var ports = ReleaseStore.Ports(idle, context.Settings.Instances).ToList();
        IEnumerable<string> start = context.Facts.HasSystemd
            ? [.. Templates.Unit(context).Describe(), "run systemctl daemon-reload", .. ports.Select(p => $"run systemctl start {Layout.Unit(p)}")]
            : ["(no systemd here: each instance runs under `stuff supervise`, which restarts it when it fails)",
               .. ports.Select(p => $"run setsid -f runuser -u {Layout.ServiceUser} -- {string.Join(' ', Supervisor.Command(context.Layout, context.Releases, p))}")];
        return [
            $"(when the release or settings changed, or nothing serves: the release starts on the idle slot, port(s) {string.Join(", ", ports)})",
            .. ports.Select(p => $"link {context.Releases.SlotPath(p)} -> the release"),
            .. start,
            .. ports.Select(p => $"wait up to {context.Settings.ReadyWithin.TotalSeconds:0} s for {context.AppUrl(p)}/readyz   (never ready: stop them, show the log, keep the live release)"),
            $"link {context.Releases.Current} -> {context.Releases.SlotPath(idle)}",
            .. context.Facts.HasSystemd ? ports.Select(p => $"run systemctl enable {Layout.Unit(p)}") : [],
        ];
    }

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Facts.HasSystemd && Templates.Unit(context).Difference() is { } unit) return unit;
        var store = context.Releases;
        if (store.LivePort is not { } live) return "no release is live yet";
        if (context.Release is { } release && store.ReleaseIn(live) != release)
            return $"release {ReleaseStore.NameOf(release)} is not live yet (live: {ReleaseStore.NameOf(store.ReleaseIn(live))})";
        if (store.LiveInstances != context.Settings.Instances)
            return $"{context.Settings.Instances} instance(s) wanted, {store.LiveInstances} run";
        if (context.AppRestartNeeded) return "the settings changed";
        foreach (var port in context.LivePorts)
        {
            if (!await context.Instances.IsRunningAsync(port, cancellationToken)) return $"the app on port {port} is not running";
            if (!await AppInstances.IsReadyAsync(context.AppUrl(port), cancellationToken)) return $"the app on port {port} is running but not ready";
        }
        return null;
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var store = context.Releases;
        var instances = context.Instances;
        var release = context.Release ?? store.LiveRelease
            ?? throw new StepFailedException("there is no release to start; run setup from the published release.");
        var idle = store.IdlePort;
        var ports = ReleaseStore.Ports(idle, context.Settings.Instances).ToList();
        if (store.LivePort is null) await instances.StopLegacyAsync(cancellationToken);
        // Whatever is left on the idle slot (a release that never became ready) makes way.
        foreach (var port in ports) await instances.StopAsync(port, cancellationToken);
        foreach (var port in ports)
        {
            // A process setup does not know (one that lost its supervisor, or another program) would
            // make the new release fail to listen; say so now rather than after a minute of retries.
            for (var i = 0; i < 20 && AppInstances.IsListening(port); i++) await Task.Delay(250, cancellationToken);
            if (AppInstances.IsListening(port))
                throw new StepFailedException($"port {port} is taken by a process setup did not start (see `ss -ltnp 'sport = :{port}'`); stop it, then run setup again. The live release keeps serving.");
        }
        if (context.Facts.HasSystemd)
        {
            var unit = Templates.Unit(context);
            if (unit.Difference() is not null) await unit.WriteAsync(context.Shell, cancellationToken);
            await context.Shell.MustAsync("systemctl", ["daemon-reload"], cancellationToken);
        }

        foreach (var port in ports)
        {
            store.Point(port, release);
            await instances.StartAsync(port, cancellationToken);
        }
        var deadline = DateTime.UtcNow + context.Settings.ReadyWithin;
        int? unready = null;
        foreach (var port in ports)
        {
            if (await AppInstances.WaitUntilReadyAsync(context.AppUrl(port), deadline - DateTime.UtcNow, cancellationToken)) continue;
            unready = port;
            break;
        }
        if (unready is { } idlePort)
        {
            var log = await instances.LogTailAsync(idlePort, 20, cancellationToken);
            foreach (var started in ports) await instances.StopAsync(started, cancellationToken);
            // The files the new release copied over the unversioned names go back to the live release's.
            if (store.LiveRelease is { } serving) await CollectStaticStep.CollectAsync(context, ReleaseStore.ExecutableOf(serving), cancellationToken);
            var live = store.LivePort is { } port ? $"the live release {ReleaseStore.NameOf(store.ReleaseIn(port))} keeps serving on port {port}" : "nothing was serving before";
            throw new StepFailedException(
                $"release {ReleaseStore.NameOf(release)} did not become ready at {context.AppUrl(idlePort)}/readyz within {context.Settings.ReadyWithin.TotalSeconds:0} s and was stopped; {live}. Its last log lines:{Environment.NewLine}{log}");
        }
        // Links left by a run with more instances would count as instances of this one.
        foreach (var extra in ReleaseStore.Ports(idle, ReleaseStore.MaxInstances).Skip(ports.Count)) store.Unpoint(extra);
        store.MakeLive(idle);
        await instances.EnableOnlyAsync(ports, cancellationToken);
        context.AppRestartNeeded = false;
    }
}

/// <summary>
/// After Apache sends traffic to the new release: the old one is stopped once Apache's old
/// workers let go of it (in-flight requests finish), and releases beyond the newest few are deleted.
/// </summary>
public sealed class RetireStep : Step
{
    private static readonly TimeSpan DrainAtMost = TimeSpan.FromSeconds(30);

    public override string Name => "Previous release stopped";

    public override IEnumerable<string> Describe(SetupContext context) =>
    [
        $"wait until nothing is connected to the old slot's port (at most {DrainAtMost.TotalSeconds:0} s), then stop it   (SIGTERM: in-flight requests finish)",
        $"delete releases in {context.Releases.ReleasesDirectory} beyond the newest {ReleaseStore.Keep}, never one a slot names",
    ];

    /// <summary>Ports whose instances are not wanted: the other slot's, and the live slot's beyond the instances asked for.</summary>
    private static IEnumerable<int> Unwanted(SetupContext context) =>
        ReleaseStore.AllPorts.Where(p => !context.LivePorts.Contains(p));

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var store = context.Releases;
        foreach (var port in Unwanted(context))
            if (await context.Instances.IsRunningAsync(port, cancellationToken))
                return $"release {ReleaseStore.NameOf(store.ReleaseIn(port))} still runs on port {port}";
        if (store.LiveInstances > context.Settings.Instances) return $"port {context.LivePorts[^1] + 2} is linked but not wanted";
        var surplus = store.Surplus();
        return surplus.Count == 0 ? null : $"{surplus.Count} release(s) older than the newest {ReleaseStore.Keep}";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var store = context.Releases;
        var running = new List<int>();
        foreach (var port in Unwanted(context))
            if (await context.Instances.IsRunningAsync(port, cancellationToken)) running.Add(port);
        foreach (var port in running)
        {
            await AppInstances.DrainAsync(port, DrainAtMost, cancellationToken);
            await context.Instances.StopAsync(port, cancellationToken);
        }
        // The slots' own ports keep their link (rollback and the tests read it); extra instances' go.
        foreach (var port in Unwanted(context).Where(p => !ReleaseStore.SlotPorts.Contains(p)))
            store.Unpoint(port);
        store.Prune();
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
