using System.CommandLine;
using System.Diagnostics;
using Stuff.Configuration;
using Stuff.Server;
using Stuff.Setup;

namespace Stuff.Cli;

/// <summary>
/// `stuff setup`: a fresh Debian/Ubuntu or Fedora/RHEL server to the site over HTTPS behind
/// Apache, with PostgreSQL, a service and its secrets. Every step checks before it changes
/// anything, so a second run changes nothing; --dry-run prints the whole plan.
/// </summary>
public static class SetupCommand
{
    public static Command Create()
    {
        var domain = new Option<string>("--domain") { Description = "The name the site is reached by, e.g. example.org.", Required = true };
        var basePath = new Option<string>("--base-path") { Description = "The path the site lives under.", DefaultValueFactory = _ => "/stuff" };
        var tls = new Option<string?>("--tls")
        {
            Description = "acme: a certificate from an ACME certificate authority (Let's Encrypt unless --acme-ca) that Apache's mod_md gets and renews, accepting the CA's terms of service; self-signed: make a certificate here (for trying it out).",
        };
        tls.AcceptOnlyFromAmong("acme", "self-signed");
        var email = new Option<string?>("--email") { Description = "With --tls acme: the address the certificate authority writes to about expiry and problems.", HelpName = "ADDRESS" };
        var acmeCa = new Option<string?>("--acme-ca") { Description = $"With --tls acme: the ACME directory URL of another certificate authority (default {AcmeSettings.LetsEncrypt}).", HelpName = "URL" };
        var acmeCaRoot = new Option<FileInfo?>("--acme-ca-root") { Description = "With --tls acme: a PEM file with the root that the certificate authority's own API certificate comes from (a company or test CA).", HelpName = "FILE" };
        var acmeChallenge = new Option<string?>("--acme-challenge") { Description = "With --tls acme: how the CA checks this server has the name: http-01 (port 80, the default) or tls-alpn-01 (port 443).", HelpName = "TYPE" };
        acmeChallenge.AcceptOnlyFromAmong(AcmeSettings.Challenges);
        var acmeCheckInterval = new Option<int?>("--acme-check-interval")
        {
            Description = "With --tls acme, for tests against a test CA with short-lived certificates only: how often mod_md looks at its certificates, in seconds (default: mod_md's 12 hours).",
            HelpName = "SECONDS",
        };
        acmeCheckInterval.AcceptRange(1, 86400, "--acme-check-interval must be from 1 to 86400 seconds.");
        var certificate = new Option<FileInfo?>("--tls-cert") { Description = "A PEM certificate (with its chain) to serve.", HelpName = "FILE" };
        var key = new Option<FileInfo?>("--tls-key") { Description = "The PEM private key of --tls-cert.", HelpName = "FILE" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Change nothing; print every command and file the setup would run and write." };
        var instances = new Option<int?>("--instances")
        {
            Description = $"How many app instances run behind Apache's balancer (1 to {ReleaseStore.MaxInstances}; default: as installed, 1 the first time).",
            HelpName = "N",
        };

        var readyTimeout = new Option<int>("--ready-timeout")
        {
            Description = $"Seconds a new release has to answer /readyz before it is stopped and the live one kept (5 to 600; default {SetupSettings.DefaultReadyWithin.TotalSeconds:0}).",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => (int)SetupSettings.DefaultReadyWithin.TotalSeconds,
        };
        readyTimeout.AcceptRange(5, 600, "--ready-timeout must be from 5 to 600 seconds.");

        var appHosts = new Option<string[]>("--app-host")
        {
            Description = "An app server on another host for the balancer, HOST:PORT (repeat for each; none for no others; default: as installed).",
            HelpName = "HOST:PORT",
            Arity = ArgumentArity.OneOrMore,
        };

        var noAutoUpdates = new Option<bool>("--no-auto-updates")
        {
            Description = "Leave the system's automatic updates as they are (by default setup turns on the distribution's automatic security updates).",
        };

        var backupRepository = new Option<string?>("--backup-repository")
        {
            Description = $"A restic repository every backup is also sent to, encrypted: /PATH, sftp:USER@HOST:/PATH, s3:https://HOST/BUCKET/PATH, b2:, rest: ... (none: no off-site copies; default: as installed). Its password comes from --backup-password-file or {Backups.OffsiteRepository.PasswordKey} in the environment, or is made for a new repository; the storage's credentials (AWS_ACCESS_KEY_ID ...) from the environment. All are kept in the env file.",
            HelpName = "URL",
        };
        var backupPasswordFile = new Option<FileInfo?>("--backup-password-file")
        {
            Description = "A file whose first line is the off-site repository's password (for a repository that exists already).",
            HelpName = "FILE",
        };

        var command = new Command("setup", "Install and configure everything the site needs on this server (run as root).")
        {
            domain, basePath, tls, email, acmeCa, acmeCaRoot, acmeChallenge, acmeCheckInterval, certificate, key, instances, appHosts, readyTimeout, noAutoUpdates, backupRepository, backupPasswordFile, dryRun,
        };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var settings = Settings(parse.GetRequiredValue(domain), parse.GetValue(basePath), parse.GetValue(tls), parse.GetValue(certificate), parse.GetValue(key));
            settings = settings with
            {
                Acme = Acme(settings.Tls, parse.GetValue(email), parse.GetValue(acmeCa), parse.GetValue(acmeCaRoot), parse.GetValue(acmeChallenge), parse.GetValue(acmeCheckInterval)),
            };
            var shell = new ProcessShell();
            var facts = await HostFacts.DetectAsync(shell, cancellationToken);
            var layout = new Layout(facts.Family, facts.PostgresVersion);
            var count = parse.GetValue(instances) ?? Math.Max(1, layout.Releases.LiveInstances);
            if (count is < 1 or > ReleaseStore.MaxInstances)
                throw new UserFacingException($"--instances must be a number from 1 to {ReleaseStore.MaxInstances}, not {count}.");
            settings = settings with
            {
                Instances = count,
                ReadyWithin = TimeSpan.FromSeconds(parse.GetValue(readyTimeout)),
                AutoUpdates = !parse.GetValue(noAutoUpdates),
                AppHosts = parse.GetResult(appHosts) is null ? AppHost.InSite(layout.ApacheSiteFile) : AppHosts(parse.GetValue(appHosts) ?? []),
                Offsite = Offsite(parse.GetValue(backupRepository), parse.GetValue(backupPasswordFile), layout),
                OffsiteGiven = parse.GetValue(backupRepository) is not null,
            };
            var context = new SetupContext(shell, facts, settings);
            var steps = Plan.Steps();

            await output.WriteLineAsync($"stuff setup on {facts.Description}");
            if (parse.GetValue(dryRun))
            {
                await output.WriteLineAsync("Dry run: nothing is changed. The plan:");
                for (var i = 0; i < steps.Count; i++)
                {
                    await output.WriteLineAsync($"[{i + 1}/{steps.Count}] {steps[i].Name}");
                    foreach (var line in steps[i].Describe(context)) await output.WriteLineAsync("    " + line);
                }
                return 0;
            }

            if (!Environment.IsPrivilegedProcess)
                throw new UserFacingException("stuff setup changes the system and must run as root: sudo ./stuff setup ... (or --dry-run to see the plan).");
            return await RunAsync(context, steps, output, cancellationToken);
        }));
        return command;
    }

    private static List<AppHost> AppHosts(string[] values)
    {
        if (values is ["none"]) return [];
        var hosts = new List<AppHost>();
        foreach (var value in values)
        {
            var host = AppHost.Parse(value)
                ?? throw new UserFacingException($"--app-host must be HOST:PORT of an app server on another host, such as 10.0.0.11:5080, not '{value}' (the ports {ReleaseStore.SlotPorts[0]} to {ReleaseStore.AllPorts.Max()} on loopback are this host's own instances: use --instances).");
            if (!hosts.Contains(host)) hosts.Add(host);
        }
        return hosts;
    }

    private static SetupSettings Settings(string domain, string? basePath, string? tls, FileInfo? certificate, FileInfo? key)
    {
        domain = domain.Trim().ToLowerInvariant();
        if (!StuffOptions.IsHostName(domain))
            throw new UserFacingException($"--domain must be a host name such as example.org, not '{domain}'.");
        var normalized = StuffOptions.NormalizeBasePath(basePath)
            ?? throw new UserFacingException("--base-path must be a path such as /stuff (letters, digits, '-', '_', '.').");

        if (tls is not null && (certificate is not null || key is not null))
            throw new UserFacingException($"Give either --tls {tls} or --tls-cert with --tls-key, not both.");
        if (tls is null && (certificate is null || key is null))
            throw new UserFacingException("HTTPS needs a certificate: --tls acme --email ADDRESS (from Let's Encrypt), --tls self-signed, or --tls-cert FILE --tls-key FILE.");
        foreach (var file in new[] { certificate, key })
            if (file is { Exists: false }) throw new UserFacingException($"{file.FullName} does not exist.");

        // The release is the directory this executable was started from.
        var source = AppContext.BaseDirectory.TrimEnd('/');
        if (!File.Exists(Path.Combine(source, "stuff")))
            throw new UserFacingException("stuff setup installs the published executable it is run from; publish first (see the README's Deploy section) and run ./stuff setup from there.");
        var mode = tls switch { "acme" => TlsMode.Acme, "self-signed" => TlsMode.SelfSigned, _ => TlsMode.Provided };
        return new SetupSettings(domain, normalized, mode, certificate?.FullName, key?.FullName, source);
    }

    /// <summary>The --acme-* options: only with --tls acme, and each one checked before anything changes.</summary>
    private static AcmeSettings? Acme(TlsMode mode, string? email, string? ca, FileInfo? caRoot, string? challenge, int? checkInterval)
    {
        if (mode != TlsMode.Acme)
        {
            if (email is not null || ca is not null || caRoot is not null || challenge is not null || checkInterval is not null)
                throw new UserFacingException("--email and the --acme-* options go with --tls acme.");
            return null;
        }
        email = email?.Trim();
        if (email is not { Length: > 0 })
            throw new UserFacingException("--tls acme needs --email ADDRESS: the certificate authority writes there about expiry and problems.");
        if (!IsEmail(email))
            throw new UserFacingException($"--email must be an address such as admin@example.org, not '{email}'.");
        ca ??= AcmeSettings.LetsEncrypt;
        if (!Uri.TryCreate(ca, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps || ca.Any(char.IsWhiteSpace))
            throw new UserFacingException($"--acme-ca must be the https URL of an ACME directory, such as {AcmeSettings.LetsEncrypt}, not '{ca}'.");
        if (caRoot is not null)
        {
            if (!caRoot.Exists) throw new UserFacingException($"{caRoot.FullName} does not exist.");
            try
            {
                using var root = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(caRoot.FullName));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                throw new UserFacingException($"--acme-ca-root: {caRoot.FullName} is not a PEM certificate.");
            }
        }
        return new AcmeSettings(email, ca, caRoot?.FullName, challenge ?? AcmeSettings.Http01, checkInterval);
    }

    /// <summary>
    /// The off-site repository: the one given (none: no more off-site copies), else the one
    /// installed. Its password: STUFF_BACKUP_PASSWORD from setup's environment, else the one the
    /// env file keeps, else a new one (for a repository setup will make).
    /// </summary>
    private static Backups.OffsiteRepository? Offsite(string? given, FileInfo? passwordFile, Layout layout)
    {
        IReadOnlyDictionary<string, string?>? installed = null;
        try
        {
            if (File.Exists(layout.EnvFile)) installed = EnvFile.ReadValues(layout.EnvFile);
        }
        catch (UserFacingException)
        {
            // An unreadable env file is rewritten; only a given repository counts then.
        }
        var url = given?.Trim() ?? installed?.GetValueOrDefault(Backups.OffsiteRepository.RepositoryKey);
        if (url is null || url == "none" || (given is null && string.IsNullOrWhiteSpace(url)))
        {
            if (passwordFile is not null) throw new UserFacingException("--backup-password-file goes with an off-site repository (--backup-repository URL).");
            return null;
        }
        if (Backups.OffsiteRepository.Problem(url) is { } problem) throw new UserFacingException($"--backup-repository: {problem}.");
        if (new Backups.OffsiteRepository(url, "-").LocalPath is { } path)
        {
            if (path == "/" || path == layout.BackupDirectory || path.StartsWith(layout.BackupDirectory + "/", StringComparison.Ordinal))
                throw new UserFacingException($"--backup-repository {url} is on this server's backup directory; an off-site repository belongs on another disk or host.");
            var parent = Path.GetDirectoryName(path.TrimEnd('/'));
            if (parent is null || !Directory.Exists(parent))
                throw new UserFacingException($"--backup-repository {url}: {parent} does not exist; mount the disk the repository goes on first.");
        }

        string? password = null;
        if (passwordFile is not null)
        {
            if (!passwordFile.Exists) throw new UserFacingException($"--backup-password-file: {passwordFile.FullName} does not exist.");
            try
            {
                password = File.ReadLines(passwordFile.FullName).FirstOrDefault()?.TrimEnd('\r');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserFacingException($"--backup-password-file: cannot read {passwordFile.FullName} ({e.Message}).");
            }
            if (string.IsNullOrEmpty(password)) throw new UserFacingException($"--backup-password-file: {passwordFile.FullName} is empty.");
        }
        if (string.IsNullOrEmpty(password)) password = Environment.GetEnvironmentVariable(Backups.OffsiteRepository.PasswordKey);
        if (string.IsNullOrEmpty(password)) password = installed?.GetValueOrDefault(Backups.OffsiteRepository.PasswordKey);
        if (string.IsNullOrEmpty(password))
            password = Secrets.NewPassword();
        if (password.Any(char.IsControl)) throw new UserFacingException("The off-site repository's password must be one line.");

        // The storage's credentials: from setup's environment, else as installed.
        var environment = Backups.OffsiteRepository.CredentialKeys.ToDictionary(k => k, k => (string?)Environment.GetEnvironmentVariable(k));
        var credentials = Backups.OffsiteRepository.CredentialsIn(installed);
        foreach (var (key, value) in Backups.OffsiteRepository.CredentialsIn(environment)) credentials[key] = value;
        if (credentials.FirstOrDefault(c => c.Value.Any(char.IsControl)) is { Key: { } bad }) throw new UserFacingException($"{bad} must be one line.");
        return new Backups.OffsiteRepository(url, password) { Credentials = credentials };
    }

    /// <summary>One address, as mod_md writes it into a mailto: URL: no spaces, one @, a dot in the domain.</summary>
    private static bool IsEmail(string value)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == value.LastIndexOf('@') && value.IndexOf('.', at) > at + 1 && !value.EndsWith('.')
            && value.All(c => c > ' ' && c < 127 && c is not ('<' or '>' or '"' or '\\' or ',' or ';'));
    }

    private static async Task<int> RunAsync(SetupContext context, IReadOnlyList<Step> steps, TextWriter output, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var changed = await StepRunner.RunAsync(context, steps, output, cancellationToken);

        await output.WriteLineAsync();
        await output.WriteLineAsync(changed.Count == 0
            ? $"Nothing to change: everything was already in place ({total.Elapsed.TotalSeconds:0.0} s)."
            : $"Done in {total.Elapsed.TotalSeconds:0.0} s; changed: {string.Join(", ", changed)}.");
        await output.WriteLineAsync($"The site: https://{context.Settings.Domain}{context.Settings.BasePath}/ (release {ReleaseStore.NameOf(context.Releases.LiveRelease)})");
        if (await FirstUser.NeededAsync(context, cancellationToken)) await output.WriteLineAsync(FirstUser.Hint);
        foreach (var note in context.Notes) await output.WriteLineAsync("Note: " + note);
        if (context.Settings.Offsite is { } offsite)
            await output.WriteLineAsync($"Backups also go to {offsite.Display}. Keep a copy of {Backups.OffsiteRepository.PasswordKey} from {context.Layout.EnvFile} somewhere else: without it nobody can read them.");
        return 0;
    }
}
