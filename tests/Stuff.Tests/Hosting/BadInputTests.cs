using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Hosting;

/// <summary>
/// Every form the app has (found from its endpoints, its fields read from the page itself) gets
/// hostile values in every field from a superuser with a valid token: control characters,
/// invalid UTF-8, numbers that overflow or use exponents, huge values, a 10 MB body. The answer
/// is a page or a 4xx, never a 500.
/// </summary>
[Collection(SqliteCollection.Name)]
public sealed partial class BadInputTests(SqliteSite site) : SiteTests(site)
{
    // Logging out would end the session the other posts need; it takes no fields.
    private static readonly string[] Skipped = ["/Error", "/Status", "/Account/Logout"];

    private static readonly (string Name, string Value)[] BadValues =
    [
        ("control characters", "a\u0000b\u0007c\u001b[31m\u202e"),
        ("a number that overflows", "99999999999999999999999999"),
        ("a negative overflow", "-2147483649"),
        ("exponent notation", "1e5"),
        ("not a number", "NaN"),
        ("markup", "<script>alert(1)</script>\"'&"),
        ("100,000 characters", new string('x', 100_000)),
        ("lone surrogates", "\ud800\udfff\udc00"),
    ];

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("""<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*>""")]
    private static partial Regex FieldName();

    /// <summary>The route patterns of every page with a POST handler.</summary>
    private async Task<IReadOnlyList<string>> FormRoutesAsync() =>
        [.. (await SitePage.AllAsync(Site.Services)).Where(p => !Skipped.Contains(p.Path) && p.PostHandlers.Count > 0).Select(p => p.Route)];

    /// <summary>The route with its ids filled in by objects of its own, so that a form that deletes one leaves the others' targets alone.</summary>
    private async Task<string> UrlAsync(string route, int n)
    {
        if (!route.Contains('{')) return route;
        var id = route.StartsWith("/admin/users", StringComparison.Ordinal)
            ? (await Site.CreateUserAsync($"target{n}")).Id
#if nosample
            : "1";
#else
            : (await Site.AddStuffAsync($"target {n}")).Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
#endif
        return RouteParameter().Replace(route.Replace("{section}", "stuff", StringComparison.Ordinal), id);
    }

    [Fact]
    public async Task Every_form_answers_hostile_values_with_a_page_or_a_4xx_never_a_500()
    {
        await Site.CreateUserAsync("root", superuser: true);
        using var client = await Site.LoginAsync("root");
        var token = await AdminSite.TokenAsync(client);
        var routes = await FormRoutesAsync();
        Assert.True(routes.Count >= 10, "too few forms found: " + string.Join(", ", routes));

        var failures = new List<string>();
        foreach (var (route, n) in routes.Select((r, i) => (r, i)))
        {
            var url = await UrlAsync(route, n);
            var form = await (await client.GetAsync(url)).BodyAsync();
            var fields = FieldName().Matches(form).Select(m => m.Groups[1].Value)
                .Where(n => n is not ("__RequestVerificationToken" or "Version")).Distinct().ToList();
            var version = form.Contains("name=\"Version\"", StringComparison.Ordinal) ? Forms.Field(form, "Version") : "1";

            foreach (var (name, value) in BadValues)
            {
                var body = fields.Select(f => new KeyValuePair<string, string>(f, value))
                    .Append(new("Version", version)).Append(new("__RequestVerificationToken", token));
                Check(failures, $"{url} with {name}", await client.PostAsync(url, new FormUrlEncodedContent(body)));
            }

            var encoded = string.Join('&', fields.Select(f => Uri.EscapeDataString(f) + "=%FF%FE%C0%80"))
                + $"&Version={version}&__RequestVerificationToken={Uri.EscapeDataString(token)}";
            Check(failures, $"{url} with invalid UTF-8", await client.PostAsync(url, new StringContent(encoded, Encoding.Latin1, "application/x-www-form-urlencoded")));
            var raw = Encoding.ASCII.GetBytes($"__RequestVerificationToken={Uri.EscapeDataString(token)}&{fields.FirstOrDefault() ?? "x"}=")
                .Concat(new byte[] { 0xFF, 0xFE, 0xC3, 0x28, 0x80 }).ToArray();
            Check(failures, $"{url} with raw invalid UTF-8 bytes", await client.PostAsync(url, Form(raw)));

            var huge = new byte[10 * 1024 * 1024];
            Array.Fill(huge, (byte)'a');
            var big = Encoding.ASCII.GetBytes($"__RequestVerificationToken={Uri.EscapeDataString(token)}&{fields.FirstOrDefault() ?? "x"}=").Concat(huge).ToArray();
            Check(failures, $"{url} with a 10 MB body", await client.PostAsync(url, Form(big)));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    //#if (sample)
    [InlineData("/edit/abc")]
    [InlineData("/edit/99999999999")]
    [InlineData("/delete/-1")]
    //#endif
    [InlineData("/admin/stuff/1e3/change")]
    [InlineData("/admin/users/no-such-user/change")]
    [InlineData("/admin/groups/%E2%80%AE%01/change")]
    [InlineData("/admin/nonsense/1/history")]
    [InlineData("/?page=99999999999999999999&after=abc")]
    [InlineData("/admin/stuff?o=%00&p=-5")]
    public async Task Ids_that_are_not_ids_are_a_4xx_or_a_page_never_a_500(string url)
    {
        await Site.CreateUserAsync("root", superuser: true);
        using var client = await Site.LoginAsync("root");

        var get = await client.GetAsync(url);
        var post = await AdminSite.PostWithTokenAsync(client, url, ("Version", "1"));

        Assert.True((int)get.StatusCode < 500, $"GET {url}: {(int)get.StatusCode}");
        Assert.True((int)post.StatusCode < 500, $"POST {url}: {(int)post.StatusCode}");
    }

    private static ByteArrayContent Form(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return content;
    }

    private static void Check(List<string> failures, string what, HttpResponseMessage response)
    {
        if ((int)response.StatusCode >= 500) failures.Add($"{what}: {(int)response.StatusCode}");
    }
}
