using System.CommandLine;
using Stuff.Configuration;

namespace Stuff.Cli;

/// <summary>
/// `stuff healthcheck [--port N]`: asks the app running beside it (127.0.0.1) whether it is alive
/// (/healthz under STUFF_BASE_PATH) and exits 0 or 1. The container image's HEALTHCHECK runs it:
/// the image has no curl, and the app knows its own base path. Changes nothing.
/// </summary>
public static class HealthcheckCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "The port the app listens on, on this host's loopback.",
            DefaultValueFactory = _ => 8080,
            HelpName = "PORT",
        };
        port.AcceptRange(1, 65535, "--port must be between 1 and 65535.");
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for the answer.",
            DefaultValueFactory = _ => 5,
            HelpName = "SECONDS",
        };
        timeout.AcceptRange(1, 300, "--timeout must be between 1 and 300 seconds.");
        var command = new Command("healthcheck", "Ask the app on this host's loopback whether it is alive (its /healthz); exit 0 when it is, 1 when not.") { port, timeout };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var basePath = StuffOptions.NormalizeBasePath(CliEnvironment.Of(parse).Get("STUFF_BASE_PATH"))
                ?? throw new UserFacingException(StuffOptions.BasePathProblem);
            var url = new Uri($"http://127.0.0.1:{parse.GetValue(port)}{basePath}/healthz");
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)) };
            var output = parse.InvocationConfiguration.Output;
            try
            {
                using var response = await client.GetAsync(url, cancellationToken);
                await output.WriteLineAsync($"{url}: {(int)response.StatusCode} {response.ReasonPhrase}");
                return response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await output.WriteLineAsync($"{url}: no answer ({(e is TaskCanceledException ? "timed out" : e.Message)})");
                return 1;
            }
        }));
        return command;
    }
}
