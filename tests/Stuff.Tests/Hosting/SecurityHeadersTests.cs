using System.Net;
using System.Text.RegularExpressions;
using Stuff.Hosting;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

[Collection(PostgresCollection.Name)]
public sealed partial class SecurityHeadersTests(PostgresSite site) : SiteTests(site)
{
    [Theory]
    [InlineData("/", HttpStatusCode.OK)]
    [InlineData("/account/login", HttpStatusCode.OK)]
    [InlineData("/no/such/page", HttpStatusCode.NotFound)]
    [InlineData("/static/css/site.css", HttpStatusCode.OK)]
    public async Task Every_response_carries_the_content_security_policy(string path, HttpStatusCode status)
    {
        var response = await Site.Client().GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task Pages_describe_themselves_and_name_the_icon_the_site_serves_with_its_robots_txt()
    {
        var client = Site.Client();
        var page = await (await client.GetAsync("/")).Content.ReadAsStringAsync();

        Assert.Matches("<meta name=\"description\" content=\"[^\"]{20,}\">", page);
        Assert.Matches("<link rel=\"icon\" href=\"/favicon[.a-z0-9]*ico\"", page);
        var icon = await client.GetAsync("/favicon.ico");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal([0, 0, 1, 0], (await icon.Content.ReadAsByteArrayAsync())[..4]);
        var robots = await client.GetAsync("/robots.txt");
        Assert.Equal(HttpStatusCode.OK, robots.StatusCode);
        Assert.Contains("User-agent: *", await robots.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"\sstyle\s*=|<style|<script|\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineCode();

    /// <summary>The policy forbids inline styles and scripts; a page that used them would silently lose them.</summary>
    [Fact]
    public void No_page_uses_inline_styles_or_scripts()
    {
        var pages = Directory.EnumerateFiles(Path.Combine(Repository.Root, "src", "Stuff", "Pages"), "*.cshtml", SearchOption.AllDirectories);
        var offenders = pages
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, i)))
            .Where(x => InlineCode().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(Repository.Root, x.file)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }
}
