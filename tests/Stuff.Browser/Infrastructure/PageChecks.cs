using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Stuff.Tests.Infrastructure;

namespace Stuff.Browser.Infrastructure;

/// <summary>
/// Debian's Chromium as the browser tests drive it, and the checks a page gets: nothing blocked
/// by the Content-Security-Policy, no serious accessibility problem, screenshots at both widths.
/// Shared by the browser tests and the deploy tests' browser on a disposable server.
/// </summary>
public static class PageChecks
{
    /// <summary>Debian's Chromium; Playwright's own download cannot work on a closed network.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Where the screenshots go; ./test.sh prints it at the end.</summary>
    public static readonly string ScreenshotDirectory = Path.Combine(Repository.Root, ".test-output", "screenshots");

    private static readonly ConditionalWeakTable<IPage, List<string>> Problems = [];

    /// <summary>Headless Chromium, from <paramref name="executable"/> (Debian's, or a wrapper that runs it).</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, string executable = ChromiumPath) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Chromium's own sandbox needs user namespaces, which root in a container does not get.
            ChromiumSandbox = false,
            // Without these Chromium phones home at start, and this closed network refuses it.
            Args = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

    /// <summary>
    /// Records anything the Content-Security-Policy blocked: Chromium reports each block on the
    /// console, and a page that relied on inline code would silently lose it.
    /// </summary>
    public static void Watch(IPage page)
    {
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) problems.Add(message.Text);
        };
        page.PageError += (_, error) => problems.Add("script error: " + error);
        Problems.AddOrUpdate(page, problems);
    }

    /// <summary>What the page's console reported against the policy so far.</summary>
    public static IReadOnlyList<string> ProblemsOf(IPage page) => Problems.TryGetValue(page, out var list) ? list : [];

    public static void AssertNoProblems(IPage page)
    {
        var problems = ProblemsOf(page);
        Assert.True(problems.Count == 0, $"{page.Url} broke the Content-Security-Policy:\n{string.Join("\n", problems)}");
    }

    /// <summary>Runs axe on the page as it is and fails on any serious or critical violation.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        // Only violations come back with their nodes; the passes would be most of the time spent.
        var result = await page.RunAxe(new AxeRunOptions { ResultTypes = [ResultType.Violations] });
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"axe found on {page.Url}:\n" + string.Join("\n", bad.Select(Describe)));
    }

    private static string Describe(AxeResultItem v) =>
        $"- {v.Impact} {v.Id}: {v.Help} ({v.HelpUrl})\n" + string.Join("\n", v.Nodes.Select(n => $"    {n.Target} {n.Html}"));

    /// <summary>Saves the page at desktop and at phone width, then puts the desktop size back.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool checkLayout = true)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var file = Regex.Replace(name, "[^A-Za-z0-9_-]+", "-").Trim('-');
        await page.SetViewportSizeAsync(Viewports.Desktop.Width, Viewports.Desktop.Height);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, $"{file}-desktop.png"), FullPage = true });
        await page.SetViewportSizeAsync(Viewports.Phone.Width, Viewports.Phone.Height);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, $"{file}-phone.png"), FullPage = true });
        // Nothing may stick out sideways at 360 px: a person on a phone would have to scroll to read it.
        var overflow = checkLayout ? await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth") : 0;
        await page.SetViewportSizeAsync(Viewports.Desktop.Width, Viewports.Desktop.Height);
        Assert.True(overflow <= 0, $"{page.Url} is {overflow}px wider than a 360px phone screen.");
    }
}

public static class Viewports
{
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };
    public static readonly ViewportSize Phone = new() { Width = 360, Height = 740 };
}
