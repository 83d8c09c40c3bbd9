using Stuff.Browser.Infrastructure;

namespace Stuff.Browser.Hosting;

/// <summary>
/// Runs only after ./test.sh as root deployed the site with `stuff setup` (STUFF_TEST_RELEASE is
/// set) and it still answers through Apache; it only browses, it never changes the machine.
/// The check happens at discovery, so a missing site is a skip with its reason, not a pass.
/// </summary>
public sealed class DeployedSiteFactAttribute : FactAttribute
{
    public const string Address = "https://localhost/stuff/";

    public DeployedSiteFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("STUFF_TEST_RELEASE") is not { Length: > 0 })
            Skip = "needs the site deployed on this machine: run ./test.sh as root";
        else if (!Answers())
            Skip = $"{Address}healthz does not answer 200 through Apache: the deploy tests did not leave the site installed";
    }

    private static bool Answers()
    {
        // The certificate is the self-signed one setup made; only the address matters here.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return client.GetAsync(Address + "healthz").GetAwaiter().GetResult().IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}

public sealed class DeployedSiteTests(BrowserSite site) : BrowserTests(site)
{
    [DeployedSiteFact]
    public async Task The_site_through_apache_over_https_is_accessible_and_keeps_its_policy()
    {
        await using var context = await Site.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = DeployedSiteFactAttribute.Address,
            IgnoreHTTPSErrors = true,
            ViewportSize = Viewports.Desktop,
        });
        var page = await context.NewPageAsync();
        BrowserSite.Watch(page);

        var list = await page.GotoAsync("");
        Assert.Equal(200, list!.Status);
        Assert.NotNull(await list.HeaderValueAsync("content-security-policy"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = BrowserSite.HomeHeading, Exact = true })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page);
        await ScreenshotAsync(page, "Deployed-list");

        await page.GetByRole(AriaRole.Link, new() { Name = "Log in", Exact = true }).ClickAsync();
        await Expect(page.GetByLabel("Username")).ToBeVisibleAsync();
        // Apache serves the stylesheet itself; the page must still look styled.
        await Expect(page.Locator("body")).ToHaveCSSAsync("display", "flex");
        await FinishAsync(page);
    }
}
