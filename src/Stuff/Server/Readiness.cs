using System.Net;
using System.Net.Sockets;

namespace Stuff.Server;

/// <summary>How an instance answered /readyz: its status and body, or why it did not answer.</summary>
public sealed record ReadyAnswer(int? Status, string Body, ReadyFailure Failure = ReadyFailure.None, string? Message = null)
{
    public bool IsReady => Status == (int)HttpStatusCode.OK;
}

public enum ReadyFailure { None, Refused, TimedOut, Unreachable }

/// <summary>The one client that asks an instance whether it is ready (setup, rollback, restore and the doctor).</summary>
public static class Readiness
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    // One client for every question: a new one each time would leave a socket behind per poll.
    private static readonly HttpClient Client = new() { Timeout = Timeout };

    /// <summary>Asks GET {appUrl}/readyz (appUrl with the base path, no trailing slash).</summary>
    public static async Task<ReadyAnswer> AskAsync(string appUrl, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Client.GetAsync(appUrl + "/readyz", cancellationToken);
            return new ReadyAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return new ReadyAnswer(null, "", ReadyFailure.Refused, e.Message);
        }
        catch (HttpRequestException e)
        {
            return new ReadyAnswer(null, "", ReadyFailure.Unreachable, e.Message);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new ReadyAnswer(null, "", ReadyFailure.TimedOut, e.Message);
        }
    }

    public static async Task<bool> IsReadyAsync(string appUrl, CancellationToken cancellationToken) =>
        (await AskAsync(appUrl, cancellationToken)).IsReady;

    /// <summary>Polls /readyz until it answers 200; false when it has not within the time.</summary>
    public static Task<bool> WaitAsync(string appUrl, TimeSpan within, CancellationToken cancellationToken) =>
        Wait.UntilAsync(token => IsReadyAsync(appUrl, token), within, TimeSpan.FromMilliseconds(250), cancellationToken);

    /// <summary>The failing checks of a /readyz body, such as "database: cannot connect to the database: password-failed".</summary>
    public static string Detail(string body)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            var failing = json.RootElement.GetProperty("checks").EnumerateObject()
                .Where(c => c.Value.GetProperty("status").GetString() != "ok")
                .Select(c => $"{c.Name}: {c.Value.GetProperty("detail").GetString()}")
                .ToList();
            return failing.Count > 0 ? string.Join("; ", failing) : body;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }
}
