using System.Net;
using Microsoft.AspNetCore.Hosting;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

/// <summary>
/// AllowedHosts: pages answer only to the site's own name, but the probes answer whoever asks
/// by address, as balancers, Kubernetes and `stuff setup` do.
/// </summary>
[Collection(SqliteCollection.Name)]
public sealed class HostFilteringTests(SqliteSite site) : SiteTests(site)
{
    private async Task<HttpStatusCode> StatusAsync(string basePath, string path, string host)
    {
        using var named = Site.WithWebHostBuilder(b => b.UseSetting("AllowedHosts", "example.org").UseSetting("STUFF_BASE_PATH", basePath));
        using var client = named.CreateClient(new() { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Theory]
    [InlineData("", "/")]
    [InlineData("", "/account/login")]
    [InlineData("/stuff", "/stuff/")]
    [InlineData("/stuff", "/stuff/static/css/site.css")]
    [InlineData("/stuff", "/stuff/readyz/more")]
    public async Task A_page_asked_for_by_another_name_is_refused(string basePath, string path)
    {
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(basePath, path, "evil.example"));
        Assert.NotEqual(HttpStatusCode.BadRequest, await StatusAsync(basePath, path, "example.org"));
    }

    [Theory]
    [InlineData("", "/healthz")]
    [InlineData("", "/readyz")]
    [InlineData("/stuff", "/stuff/healthz")]
    [InlineData("/stuff", "/stuff/readyz")]
    public async Task The_probes_answer_a_request_by_address(string basePath, string path) =>
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(basePath, path, "10.1.2.3:8080"));
}
