using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Stuff.Tests.Infrastructure;

namespace Stuff.Browser.Infrastructure;

/// <summary>
/// Base of every browser test: an empty list before each test, contexts closed after it, and
/// the checks every last page gets (policy, axe, screenshots at both widths).
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTests(BrowserSite site) : IAsyncLifetime
{
    private readonly List<IPage> _pages = [];

    /// <summary>Pages without JavaScript: axe and the layout check need scripts, so those pages only get screenshots.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, object> NoScript = [];

    protected BrowserSite Site { get; } = site;

    public virtual Task InitializeAsync() => Site.ResetAsync();

    public async Task DisposeAsync()
    {
        foreach (var page in _pages) await page.Context.CloseAsync();
    }

    /// <summary>A page in a browser context of its own: another person, or the same one on another device.</summary>
    protected async Task<IPage> NewPageAsync(bool javaScript = true, string? storageState = null)
    {
        var page = await Site.NewPageAsync(javaScript, storageState);
        _pages.Add(page);
        if (!javaScript) NoScript.Add(page, true);
        return page;
    }

    /// <summary>
    /// A fresh context of a logged-in user, on the list. The first time a user logs in through
    /// the real form; later contexts start with that session's cookies, which saves a login per test.
    /// </summary>
    protected async Task<IPage> LoggedInAsync(string userName = BrowserSite.UserName, string password = BrowserSite.UserPassword, bool javaScript = true)
    {
        if (Site.Sessions.TryGetValue(userName, out var session))
        {
            var known = await NewPageAsync(javaScript, session);
            await known.GotoAsync("");
            await Expect(known.GetByText($"Signed in as {userName}")).ToBeVisibleAsync();
            return known;
        }
        var page = await NewPageAsync(javaScript);
        await page.GotoAsync("account/login");
        await LogInAsync(page, userName, password);
        Site.Sessions[userName] = await page.Context.StorageStateAsync();
        return page;
    }

    protected static async Task LogInAsync(IPage page, string userName, string password)
    {
        await page.GetByLabel("Username").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Expect(page.GetByText($"Signed in as {userName}")).ToBeVisibleAsync();
    }

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    protected static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    /// <summary>The one-time message after a save, delete or logout.</summary>
    protected static ILocator Message(IPage page) => page.GetByRole(AriaRole.Status);

    /// <summary>Presses Tab until <paramref name="target"/> has the focus, as a keyboard user moves through a page.</summary>
    protected static async Task TabToAsync(IPage page, ILocator target)
    {
        for (var i = 0; i < 30; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement")) return;
        }
        Assert.Fail($"Tab never reached {target}.");
    }

    /// <summary>
    /// The checks every test ends with: nothing blocked by the Content-Security-Policy, no
    /// serious or critical accessibility problem, and a full-page screenshot at desktop and
    /// phone widths named after the test.
    /// </summary>
    protected static async Task FinishAsync(IPage page, [CallerMemberName] string name = "")
    {
        await page.WaitForLoadStateAsync(LoadState.Load);
        PageChecks.AssertNoProblems(page);
        var scripts = !NoScript.TryGetValue(page, out _);
        if (scripts) await AssertAccessibleAsync(page);
        await ScreenshotAsync(page, name, checkLayout: scripts);
    }

    /// <summary>Runs axe on the page as it is and fails on any serious or critical violation.</summary>
    protected static Task AssertAccessibleAsync(IPage page) => PageChecks.AssertAccessibleAsync(page);

    /// <summary>Saves the page at desktop and at phone width, then puts the desktop size back.</summary>
    protected static Task ScreenshotAsync(IPage page, string name, bool checkLayout = true) => PageChecks.ScreenshotAsync(page, name, checkLayout);
}
