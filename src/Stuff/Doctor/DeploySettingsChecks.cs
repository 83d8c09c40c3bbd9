using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Stuff.Accounts;
using Stuff.Configuration;
using Stuff.Data;

namespace Stuff.Doctor;

/// <summary>
/// `stuff check --deploy`: the settings-only part of the doctor, like Django's deploy checks.
/// It reads the configured site (options, not the network) and needs no root.
/// </summary>
public static class DeploySettingsChecks
{
    public static IReadOnlyList<Finding> Run(WebApplication app)
    {
        var services = app.Services;
        var configuration = app.Configuration;
        var forwarded = services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        var proxyGivesScheme = forwarded.ForwardedHeaders.HasFlag(ForwardedHeaders.XForwardedProto);
        return
        [
            Environment(app),
            DetailedErrors(configuration, app),
            Https(services, app, proxyGivesScheme),
            Cookie("auth-cookie", "Login cookie", services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme).Cookie, proxyGivesScheme),
            Cookie("antiforgery-cookie", "Antiforgery cookie", services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie, proxyGivesScheme),
            Cookie("message-cookie", "Message cookie", services.GetRequiredService<IOptions<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>>().Value.Cookie, proxyGivesScheme),
            AllowedHosts(configuration),
            ForwardedHeadersTrust(forwarded),
            DataProtection(services),
            Secrets(services),
            PasswordRulesOn(services),
        ];
    }

    private static Finding Environment(WebApplication app) => app.Environment.IsDevelopment()
        ? Finding.Failed("environment", "Environment", "Development",
            "the developer exception page shows stack traces, source lines and settings to every visitor",
            "unset ASPNETCORE_ENVIRONMENT and DOTNET_ENVIRONMENT where the app runs (Production is the default)")
        : Finding.Ok("environment", "Environment", app.Environment.EnvironmentName);

    private static Finding DetailedErrors(IConfiguration configuration, WebApplication app) =>
        configuration.GetValue<bool>("DetailedErrors")
            ? Finding.Failed("detailed-errors", "Detailed errors", "DetailedErrors is on",
                "error details reach visitors", "remove DetailedErrors (or ASPNETCORE_DETAILEDERRORS) from the settings")
            : Finding.Ok("detailed-errors", "Detailed errors", app.Environment.IsDevelopment() ? "off (but see Environment)" : "off: visitors see the error page with a request id only");

    private static Finding Https(IServiceProvider services, WebApplication app, bool proxyGivesScheme)
    {
        var hsts = services.GetRequiredService<IOptions<HstsOptions>>().Value;
        if (app.Environment.IsDevelopment())
            return Finding.Failed("https", "HTTPS and HSTS", "HSTS is off in Development", "browsers are not told to insist on HTTPS", "run in Production (see Environment)");
        if (!proxyGivesScheme)
            return Finding.Failed("https", "HTTPS and HSTS", "the app does not read X-Forwarded-Proto",
                "behind a TLS proxy the app would think every request is plain HTTP: no HSTS, cookies without Secure", "keep ForwardedHeaders.XForwardedProto in the forwarded-headers options");
        if (hsts.MaxAge < TimeSpan.FromDays(180))
            return Finding.Warning("https", "HTTPS and HSTS", $"HSTS max-age is {hsts.MaxAge.TotalDays:0} days",
                "a short max-age leaves visitors open to downgrade between visits", "set HstsOptions.MaxAge to a year or more");
        return Finding.Ok("https", "HTTPS and HSTS",
            $"HSTS max-age {hsts.MaxAge.TotalDays:0} days on HTTPS requests; the scheme comes from the proxy, whose port 80 redirects to HTTPS (stuff doctor checks that live)");
    }

    private static Finding Cookie(string id, string name, CookieBuilder cookie, bool proxyGivesScheme)
    {
        var problems = new List<string>();
        if (!cookie.HttpOnly) problems.Add("not HttpOnly: page scripts can read it");
        if (cookie.SameSite is SameSiteMode.None or SameSiteMode.Unspecified) problems.Add($"SameSite={cookie.SameSite}: other sites' forms send it");
        if (cookie.SecurePolicy == CookieSecurePolicy.None) problems.Add("never Secure: it travels over plain HTTP");
        else if (cookie.SecurePolicy == CookieSecurePolicy.SameAsRequest && !proxyGivesScheme) problems.Add("Secure only on HTTPS requests, and the app cannot see that the proxy's requests are HTTPS");
        if (problems.Count > 0)
            return Finding.Failed(id, name, $"{cookie.Name}: {problems.Count} problem(s)", string.Join("; ", problems), "set HttpOnly, SameSite=Lax or Strict and a Secure policy on this cookie in the host's configuration");
        var secure = cookie.SecurePolicy == CookieSecurePolicy.Always ? "always Secure" : "Secure on HTTPS (the proxy's X-Forwarded-Proto)";
        return Finding.Ok(id, name, $"{cookie.Name}: HttpOnly, SameSite={cookie.SameSite}, {secure}");
    }

    private static Finding AllowedHosts(IConfiguration configuration)
    {
        var hosts = configuration["AllowedHosts"];
        if (string.IsNullOrWhiteSpace(hosts) || hosts.Split(';').Any(h => h.Trim() == "*"))
            return Finding.Failed("allowed-hosts", "Allowed hosts", $"AllowedHosts is {(string.IsNullOrWhiteSpace(hosts) ? "not set" : "'*'")}",
                "the app answers for any Host header, so links and redirects it builds can be pointed at another site",
                "AllowedHosts=example.org in the env file (several: example.org;www.example.org); stuff setup writes it");
        return Finding.Ok("allowed-hosts", "Allowed hosts", hosts);
    }

    private static Finding ForwardedHeadersTrust(ForwardedHeadersOptions forwarded)
    {
        var wide = forwarded.KnownIPNetworks.Where(n => n.PrefixLength == 0).Select(n => $"{n.BaseAddress}/{n.PrefixLength}").ToList();
        if (wide.Count > 0 || (forwarded.KnownProxies.Count == 0 && forwarded.KnownIPNetworks.Count == 0))
            return Finding.Failed("forwarded-headers", "Forwarded headers", "trusted from any address",
                "anyone can claim any client address and scheme, defeating logs, throttling and Secure cookies",
                "trust only the proxies in front of the app (KnownProxies / KnownIPNetworks); the default is loopback");
        var trusted = forwarded.KnownProxies.Select(p => p.ToString())
            .Concat(forwarded.KnownIPNetworks.Select(n => $"{n.BaseAddress}/{n.PrefixLength}"));
        var onlyLoopback = forwarded.KnownProxies.All(IPAddress.IsLoopback) && forwarded.KnownIPNetworks.All(n => IPAddress.IsLoopback(n.BaseAddress));
        return Finding.Ok("forwarded-headers", "Forwarded headers", $"trusted only from {string.Join(", ", trusted)}{(onlyLoopback ? " (the proxy on this host)" : "")}");
    }

    /// <summary>
    /// The key ring in the database: shared by every app host, and encrypted at rest only with a
    /// certificate (STUFF_KEYS_CERTIFICATE); without one, the database's readers can forge logins.
    /// </summary>
    public static Finding KeysInDatabase(string id, string name, StuffOptions options, string envFile)
    {
        if (options.KeysCertificatePath is not { } path)
        {
            var suggested = Server.Layout.KeysCertificateFile;
            return Finding.Warning(id, name, "in the database (STUFF_KEYS=database), unencrypted",
                "anyone who can read the database (a backup, a replica, a leaked dump) can take the keys and forge login cookies for any account",
                $"make a certificate for the key ring and give the same file to every app host, readable by the app only (on a server: root:{Server.Layout.ServiceUser}, mode 0640):\n{KeyRingCertificate.MakeCommand(suggested)}\n"
                + $"then set {KeyRingCertificate.Setting}={suggested} in {envFile} (on Kubernetes: a Secret mounted as a file) and restart; keys made from then on are encrypted");
        }
        if (!KeyRingCertificate.TryLoad(path, out var certificate, out var problem))
            return Finding.Failed(id, name, problem!, "the app refuses to start without the certificate it is told to use", $"fix {KeyRingCertificate.Setting} in {envFile}, or make the file: {KeyRingCertificate.MakeCommand(path)}");
        using (certificate)
        {
            return Finding.Ok(id, name, $"in the database (STUFF_KEYS=database), encrypted with {certificate!.Subject} (SHA-1 {certificate.Thumbprint}, {path})");
        }
    }

    private static Finding DataProtection(IServiceProvider services)
    {
        var repository = services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository;
        if (repository is Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.EntityFrameworkCoreXmlRepository<Data.AppDbContext>)
            return KeysInDatabase("data-protection", "Data-protection keys", services.GetRequiredService<IOptions<StuffOptions>>().Value, "the env file");
        if (repository is not FileSystemXmlRepository files)
            return Finding.Failed("data-protection", "Data-protection keys", "not kept on disk",
                "keys made in memory are lost at every restart: everyone is logged out and open forms fail", "keep the key ring in STUFF_DATA_DIR/keys (the default)");
        var directory = files.Directory;
        if (!directory.Exists)
            return Finding.Warning("data-protection", "Data-protection keys", $"{directory.FullName} does not exist yet", "the app creates it (mode 0700) at its first start", "start the app once as the service user");
        var mode = File.GetUnixFileMode(directory.FullName);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            return Finding.Failed("data-protection", "Data-protection keys", $"{directory.FullName} is open to other users (mode {FileModes.Octal(mode)})",
                "whoever reads the keys can forge login cookies", $"chmod 0700 {directory.FullName}");
        return Finding.Ok("data-protection", "Data-protection keys", $"{directory.FullName} (mode {FileModes.Octal(mode)})");
    }

    /// <summary>The one secret in the settings is the database password.</summary>
    private static Finding Secrets(IServiceProvider services)
    {
        var database = services.GetRequiredService<DatabaseUrl>();
        if (database.Provider == DatabaseProvider.Sqlite)
            return Finding.Warning("secrets", "Secrets", $"embedded SQLite ({database})", "fine for one server; several servers need PostgreSQL", "set DATABASE_URL=postgres://... in the env file (stuff setup does)");
        var password = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString).Password ?? "";
        if (password.Length < 16)
            return Finding.Failed("secrets", "Secrets", $"the database password is {(password.Length == 0 ? "empty" : "short")} ({password.Length} characters)",
                "a short password can be guessed by anyone who reaches the database port",
                "give the role a long random password (openssl rand -base64 24), put it in DATABASE_URL in the env file (mode 0640), restart; stuff setup makes one");
        return Finding.Ok("secrets", "Secrets", $"database password of {password.Length} characters, from the settings (never logged)");
    }

    private static Finding PasswordRulesOn(IServiceProvider services)
    {
        var identity = services.GetRequiredService<IOptions<IdentityOptions>>().Value;
        using var scope = services.CreateScope();
        var validators = scope.ServiceProvider.GetServices<IPasswordValidator<AppUser>>().ToList();
        if (!validators.Any(v => v is PasswordRules) || identity.Password.RequiredLength < PasswordRules.MinLength)
            return Finding.Failed("password-rules", "Password rules", "the password rules are not in force",
                "users may choose short or common passwords", "register PasswordRules with Identity (AddStuffAccounts does)");
        if (!identity.Lockout.AllowedForNewUsers || identity.Lockout.MaxFailedAccessAttempts > 10)
            return Finding.Warning("password-rules", "Password rules", "lockout is off or lax", "passwords can be guessed online", "keep Lockout.AllowedForNewUsers with at most 10 attempts");
        return Finding.Ok("password-rules", "Password rules",
            $"at least {identity.Password.RequiredLength} characters, common and guessable ones refused, lockout after {identity.Lockout.MaxFailedAccessAttempts} failures");
    }
}
