using Microsoft.Playwright;
using Stuff.Browser.Infrastructure;
using Stuff.Deploy.Machines;

namespace Stuff.Deploy;

/// <summary>
/// Chromium on the site a set-up server serves through Apache over TLS, as a visitor meets it:
/// the browser runs in the machine's network, so https://localhost/stuff/ is the machine's Apache.
/// </summary>
[Collection(MachineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class BrowserTests(SetUpServer server) : IClassFixture<SetUpServer>
{
    [MachineFact]
    public async Task The_site_through_apache_over_https_is_accessible_and_keeps_its_policy()
    {
        Assert.True(server.FirstSetup.ExitCode == 0, server.FirstSetup.ToString());
        Assert.True(File.Exists(PageChecks.ChromiumPath), $"{PageChecks.ChromiumPath} is missing: ./test.sh installs it as root");
        // Playwright starts the browser and talks to it over a pipe; the wrapper puts it in the machine's network first.
        var wrapper = Path.Combine(Path.GetTempPath(), $"chromium-in-{server.Machine.Name}-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec {server.Machine.InNetwork(PageChecks.ChromiumPath)} \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);
        try
        {
            using var playwright = await Playwright.CreateAsync();
            Assertions.SetDefaultExpectTimeout(15_000);
            await using var browser = await PageChecks.LaunchAsync(playwright, wrapper);
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = SetUpServer.Site,
                // The certificate is the self-signed one setup made.
                IgnoreHTTPSErrors = true,
                ViewportSize = Viewports.Desktop,
            });
            var page = await context.NewPageAsync();
            PageChecks.Watch(page);

            var list = await page.GotoAsync("");
            Assert.Equal(200, list!.Status);
            Assert.NotNull(await list.HeaderValueAsync("content-security-policy"));
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await PageChecks.AssertAccessibleAsync(page);
            await PageChecks.ScreenshotAsync(page, "Deployed-list");

            await page.GetByRole(AriaRole.Link, new() { Name = "Log in", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByLabel("Username")).ToBeVisibleAsync();
            // Apache serves the stylesheet itself; the page must still look styled.
            await Assertions.Expect(page.Locator("body")).ToHaveCSSAsync("display", "flex");
            PageChecks.AssertNoProblems(page);
            await PageChecks.AssertAccessibleAsync(page);
            await PageChecks.ScreenshotAsync(page, "Deployed-login");
        }
        finally
        {
            File.Delete(wrapper);
        }
    }
}
