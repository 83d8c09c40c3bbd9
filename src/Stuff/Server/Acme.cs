namespace Stuff.Server;

/// <summary>
/// A certificate from an ACME certificate authority, got and renewed by Apache's mod_md: what
/// `stuff setup --tls acme` was told, as its site file keeps it (so a later run, a rollback and
/// the doctor read it back from there).
/// </summary>
public sealed record AcmeSettings(string Email, string Ca, string? CaRoot, string Challenge, int? CheckIntervalSeconds)
{
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";
    public const string Http01 = "http-01";
    public const string TlsAlpn01 = "tls-alpn-01";
    public static readonly string[] Challenges = [Http01, TlsAlpn01];

    /// <summary>Where mod_md's status of the certificate is served, to this machine only (Require local).</summary>
    public const string StatusPath = "/.stuff-md-status";

    /// <summary>mod_md writes nothing to this directory; its message command leaves <see cref="RenewedFlag"/> here after a renewal.</summary>
    public const string NoteDirectory = "/var/lib/stuff-acme";
    public const string RenewedFlag = NoteDirectory + "/renewed";

    /// <summary>The script mod_md runs (as Apache's user) with an event and the domain.</summary>
    public const string MessageCommand = "/opt/stuff/acme-message";

    /// <summary>Where systemd runs: a path unit that reloads Apache when the note appears; elsewhere a cron entry that looks every minute.</summary>
    public const string ReloadPathUnit = "stuff-acme-reload.path";
    public const string ReloadServiceUnit = "stuff-acme-reload.service";
    public const string ReloadCronFile = "/etc/cron.d/stuff-acme-reload";

    /// <summary>
    /// Where setup keeps a copy of --acme-ca-root, so Apache does not depend on the file it was
    /// given; mod_md reads it as Apache's user, which may not enter /etc/stuff.
    /// </summary>
    public const string CaRootCopy = NoteDirectory + "/ca-root.pem";

    /// <summary>The MD directives of a site file, or null when it names no managed domain.</summary>
    public static AcmeSettings? InSite(IReadOnlyDictionary<string, string> directives)
    {
        if (!directives.ContainsKey("mdomain")) return null;
        return new AcmeSettings(
            directives.GetValueOrDefault("mdcontactemail") ?? "",
            directives.GetValueOrDefault("mdcertificateauthority") ?? LetsEncrypt,
            directives.GetValueOrDefault("mdcacertificatefile"),
            directives.GetValueOrDefault("mdcachallenges") ?? Http01,
            directives.GetValueOrDefault("mdcheckinterval") is { } interval && interval.EndsWith('s') && int.TryParse(interval[..^1], out var seconds) ? seconds : null);
    }
}
