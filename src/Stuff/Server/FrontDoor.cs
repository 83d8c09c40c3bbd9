namespace Stuff.Server;

/// <summary>One answer of Apache's: the status and where it redirects, or why there was none.</summary>
public sealed record FrontDoorAnswer(string Url, int? Status, Uri? Location, string? Error)
{
    public bool RedirectsToHttps => Status is 301 or 302 or 307 or 308 && Location?.Scheme == "https";
}

/// <summary>
/// The site as a visitor meets it, asked of Apache on this machine: HTTP must redirect to HTTPS,
/// and HTTPS must serve the site's first page. Setup's last step and the doctor ask the same.
/// </summary>
public static class FrontDoor
{
    public static async Task<(FrontDoorAnswer Http, FrontDoorAnswer Https)> AskAsync(string domain, string basePath, bool acceptAnyCertificate, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var client = LocalApache.Client(acceptAnyCertificate, timeout);
        var path = basePath + "/";
        return (await GetAsync(client, $"http://{domain}{path}", cancellationToken), await GetAsync(client, $"https://{domain}{path}", cancellationToken));
    }

    private static async Task<FrontDoorAnswer> GetAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync(url, cancellationToken);
            return new FrontDoorAnswer(url, (int)response.StatusCode, response.Headers.Location, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new FrontDoorAnswer(url, null, null, e.Message);
        }
    }
}
