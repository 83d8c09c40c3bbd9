using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stuff.Configuration;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Configuration;

/// <summary>STUFF_TRUSTED_PROXIES: which proxies besides loopback may tell the app the client's address and scheme.</summary>
[Collection(SqliteCollection.Name)]
public sealed class TrustedProxiesTests(SqliteSite site) : SiteTests(site)
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("10.0.0.0/8", 1)]
    [InlineData("10.0.0.0/8, 192.0.2.7 ,2001:db8::/32", 3)]
    public void Addresses_and_networks_are_read(string value, int count) =>
        Assert.Equal(count, new StuffOptions { TrustedProxies = value }.TrustedProxyNetworks!.Count);

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("the ingress")]
    [InlineData("10.0.0.1;10.0.0.2")]
    public void Anything_else_is_refused_with_the_settings_name(string value)
    {
        var options = new StuffOptions { TrustedProxies = value };

        Assert.Null(options.TrustedProxyNetworks);
        Assert.Contains(options.Problems(), p => p.StartsWith("STUFF_TRUSTED_PROXIES", StringComparison.Ordinal));
    }

    [Fact]
    public void The_named_networks_are_trusted_besides_loopback()
    {
        using var ingress = Site.WithWebHostBuilder(b => b.UseSetting("STUFF_TRUSTED_PROXIES", "10.0.0.0/8"));

        var forwarded = ingress.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;

        Assert.Contains(forwarded.KnownIPNetworks, n => n.Contains(IPAddress.Parse("10.1.2.3")));
        Assert.Contains(forwarded.KnownIPNetworks, n => n.Contains(IPAddress.Loopback));
        Assert.DoesNotContain(forwarded.KnownIPNetworks, n => n.Contains(IPAddress.Parse("192.0.2.1")));
    }
}
