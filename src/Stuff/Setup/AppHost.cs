using Stuff.Server;

namespace Stuff.Setup;

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
        ApacheSite.Read(siteFile) is { } site
            ? [.. site.BalancerMembers.Select(m => m.StartsWith("http://", StringComparison.Ordinal) ? Parse(m["http://".Length..]) : null).OfType<AppHost>()]
            : [];
}
