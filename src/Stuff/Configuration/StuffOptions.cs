using Microsoft.Extensions.Options;

namespace Stuff.Configuration;

/// <summary>
/// The site's own settings. They are top-level keys so that the same names work in
/// appsettings.json, as environment variables and as lines of the env file.
/// </summary>
public sealed class StuffOptions
{
    /// <summary>Where the data lives: postgres://user:password@host:5432/db or sqlite:///path/stuff.db. Empty means a SQLite file in the data directory.</summary>
    [ConfigurationKeyName("DATABASE_URL")]
    public string? DatabaseUrl { get; set; }

    /// <summary>The path the site is served under behind a proxy, such as /stuff. Empty serves at the root.</summary>
    [ConfigurationKeyName("STUFF_BASE_PATH")]
    public string? BasePath { get; set; }

    /// <summary>Directory for the embedded database and the data-protection keys. Defaults to systemd's STATE_DIRECTORY, then ~/.local/share/stuff.</summary>
    [ConfigurationKeyName("STUFF_DATA_DIR")]
    public string? DataDirectory { get; set; }

    /// <summary>Where `stuff backup` writes and the doctor looks for backups; defaults to /var/backups/stuff.</summary>
    [ConfigurationKeyName("STUFF_BACKUP_DIR")]
    public string? BackupDirectory { get; set; }

    /// <summary>Where backups go without STUFF_BACKUP_DIR.</summary>
    public const string DefaultBackupDirectory = "/var/backups/stuff";

    /// <summary>The host name the site is reached by, such as example.org; `stuff setup` writes it, the doctor checks against it.</summary>
    [ConfigurationKeyName("STUFF_DOMAIN")]
    public string? Domain { get; set; }

    /// <summary>Where the data-protection keys live: "files" (the data directory's keys/, for one host) or "database" (shared by every app host of the site).</summary>
    [ConfigurationKeyName("STUFF_KEYS")]
    public string? Keys { get; set; }

    /// <summary>A PEM file with a certificate and its RSA private key that encrypts the data-protection keys at rest (see <see cref="KeyRingCertificate"/>).</summary>
    [ConfigurationKeyName(KeyRingCertificate.Setting)]
    public string? KeysCertificate { get; set; }

    /// <summary>Proxies whose X-Forwarded-For/-Proto are believed, besides loopback: addresses or networks (10.0.0.0/8), separated by commas.</summary>
    [ConfigurationKeyName("STUFF_TRUSTED_PROXIES")]
    public string? TrustedProxies { get; set; }

    /// <summary>The trusted proxy networks; null when one of them is not an address or a network.</summary>
    public IReadOnlyList<System.Net.IPNetwork>? TrustedProxyNetworks
    {
        get
        {
            var networks = new List<System.Net.IPNetwork>();
            foreach (var part in (TrustedProxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (System.Net.IPNetwork.TryParse(part, out var network)) networks.Add(network);
                else if (System.Net.IPAddress.TryParse(part, out var address)) networks.Add(new System.Net.IPNetwork(address, address.GetAddressBytes().Length * 8));
                else return null;
            }
            return networks;
        }
    }

    /// <summary>The key ring certificate's path as given, or null when none is set.</summary>
    public string? KeysCertificatePath => string.IsNullOrWhiteSpace(KeysCertificate) ? null : KeysCertificate.Trim();

    private string? KeysCertificateProblem()
    {
        if (KeysCertificatePath is not { } path) return null;
        if (!KeyRingCertificate.TryLoad(path, out var certificate, out var problem)) return problem;
        certificate!.Dispose();
        return null;
    }

    /// <summary>The key ring is in the database rather than in the data directory.</summary>
    public bool KeysInDatabase => string.Equals(Keys?.Trim(), "database", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A site deployed at the root of its own domain (behind TLS, as setup makes it) names its
    /// cookies __Host-…, which browsers accept only Secure, for path / and without a Domain, so
    /// no other site on a sibling domain or path can set or shadow them. Under a base path that
    /// prefix is not allowed.
    /// </summary>
    public bool HostPrefixedCookies => !string.IsNullOrWhiteSpace(Domain) && NormalizedBasePath.Length == 0;

    /// <summary>A cookie's name, with the __Host- prefix where <see cref="HostPrefixedCookies"/>.</summary>
    public string CookieName(string name) => HostPrefixedCookies ? "__Host-" + name : name;

    /// <summary>The base path in canonical form: empty, or "/segment[/segment...]" without a trailing slash.</summary>
    public string NormalizedBasePath => NormalizeBasePath(BasePath) ?? "";

    /// <summary>The data directory with its defaults applied.</summary>
    public string ResolvedDataDirectory
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(DataDirectory)) return Path.GetFullPath(DataDirectory);
            var state = Environment.GetEnvironmentVariable("STATE_DIRECTORY");
            if (!string.IsNullOrWhiteSpace(state)) return state.Split(':')[0];
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "stuff");
        }
    }

    /// <summary>The backup directory with its default applied.</summary>
    public string ResolvedBackupDirectory => string.IsNullOrWhiteSpace(BackupDirectory) ? DefaultBackupDirectory : Path.GetFullPath(BackupDirectory);

    /// <summary>The database the settings point at.</summary>
    public DatabaseUrl Database => Configuration.DatabaseUrl.Parse(DatabaseUrl, ResolvedDataDirectory);

    public const string BasePathProblem = "STUFF_BASE_PATH must be empty or a path such as /stuff (letters, digits, '-', '_', '.' and '/'; no query, no '..').";

    /// <summary>Every problem with the settings, each naming its setting; empty when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (NormalizeBasePath(BasePath) is null) yield return BasePathProblem;

        if (TrustedProxyNetworks is null)
            yield return "STUFF_TRUSTED_PROXIES must be addresses or networks separated by commas, such as 10.0.0.0/8, 192.0.2.7.";

        if (!string.IsNullOrWhiteSpace(Keys) && !KeysInDatabase && !string.Equals(Keys.Trim(), "files", StringComparison.OrdinalIgnoreCase))
            yield return "STUFF_KEYS must be files (the data directory, for one app host) or database (shared by several app hosts).";

        if (KeysCertificateProblem() is { } certificateProblem) yield return certificateProblem;

        if (!string.IsNullOrWhiteSpace(Domain) && !IsHostName(Domain))
            yield return "STUFF_DOMAIN must be a host name such as example.org (no scheme, port or path).";

        string? databaseError = null;
        try { _ = Database; }
        catch (FormatException e) { databaseError = e.Message; }
        if (databaseError is not null) yield return databaseError;
    }

    /// <summary>Runs <see cref="Problems"/> when the options are first used, and at start-up of the site.</summary>
    public sealed class Validation : IValidateOptions<StuffOptions>
    {
        public ValidateOptionsResult Validate(string? name, StuffOptions options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }

    public static bool IsHostName(string value) =>
        value.Length <= 253 && Uri.CheckHostName(value) == UriHostNameType.Dns;

    /// <summary>Returns the canonical base path, or null when the value cannot be a base path.</summary>
    public static string? NormalizeBasePath(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "";
        var trimmed = value.Trim().TrimEnd('/');
        if (trimmed.Length == 0) return "";
        if (!trimmed.StartsWith('/')) trimmed = "/" + trimmed;
        var segments = trimmed.Split('/')[1..];
        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment is "." or "..") return null;
            if (!segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) return null;
        }
        return trimmed;
    }
}
