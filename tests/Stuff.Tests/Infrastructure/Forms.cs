using System.Net;
using System.Text.RegularExpressions;

namespace Stuff.Tests.Infrastructure;

/// <summary>Form posts the way a browser makes them: fetch the page, take its antiforgery token, submit.</summary>
public static partial class Forms
{
    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="([^"]+)"|type="hidden" name="__RequestVerificationToken" value="([^"]+)" """)]
    private static partial Regex TokenPattern();

    public static string Token(string html)
    {
        var match = TokenPattern().Match(html);
        Assert.True(match.Success, "The page has no antiforgery token.");
        return WebUtility.HtmlDecode(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value);
    }

    /// <summary>The value of a named input in a page, such as the hidden Version of an edit form.</summary>
    public static string Field(string html, string name)
    {
        var match = Regex.Match(html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"");
        Assert.True(match.Success, $"The page has no field {name}.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>GETs <paramref name="formUrl"/> (default: the post URL) for its token, then POSTs the fields with it.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, IEnumerable<KeyValuePair<string, string>> fields, string? formUrl = null)
    {
        var page = await client.GetAsync(formUrl ?? url);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var token = Token(await page.Content.ReadAsStringAsync());
        return await client.PostAsync(url, new FormUrlEncodedContent([.. fields, new("__RequestVerificationToken", token)]));
    }

    /// <summary>The fields of the change-password form (/account/password); the new password typed twice unless <paramref name="again"/> says otherwise.</summary>
    public static KeyValuePair<string, string>[] PasswordFields(string current, string next, string? again = null) =>
        [new("Form.CurrentPassword", current), new("Form.NewPassword", next), new("Form.ConfirmPassword", again ?? next)];

    /// <summary>
    /// A request that an anonymous visitor makes and the site answers from its database: the start
    /// page (the sample's list) or, in a site without the sample, a login (the user is looked up).
    /// </summary>
    public static Task<HttpResponseMessage> ReadsTheDatabaseAsync(HttpClient client) =>
#if nosample
        PostAsync(client, "/account/login", [new("Form.Username", "nobody"), new("Form.Password", "not the password")]);
#else
        client.GetAsync("/");
#endif

    /// <summary>Asserts a redirect; on failure the message carries the page, which usually says why.</summary>
    public static async Task<string> AssertRedirectAsync(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.Redirect)
            Assert.Fail($"Expected a redirect, got {(int)response.StatusCode}: {System.Text.RegularExpressions.Regex.Replace(await response.BodyAsync(), @"\s+", " ")}");
        return response.Headers.Location!.ToString();
    }

    public static async Task<string> BodyAsync(this HttpResponseMessage response) => await response.Content.ReadAsStringAsync();

    /// <summary>The HTML-encoded form of a value, as it appears in a page.</summary>
    public static string Html(string text) => System.Text.Encodings.Web.HtmlEncoder.Default.Encode(text);
}
