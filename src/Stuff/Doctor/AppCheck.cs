using System.Net;
using System.Net.Sockets;
using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>The app answers on its loopback address, and says whether it is ready.</summary>
public sealed class AppCheck : DoctorCheck
{
    private const string Id = "app";
    private const string Name = "App answers";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var url = context.AppUrl("/readyz");
        var answer = await Readiness.AskAsync(context.AppUrl(""), cancellationToken);
        context.AppAnswers = answer.Status is not null;
        switch (answer)
        {
            case { IsReady: true }:
                return [Finding.Ok(Id, Name, $"{url} says ready")];
            case { Status: 503 }:
                return [Finding.Failed(Id, Name, $"{url} answers 503: not ready",
                    "the app runs but cannot serve: " + Readiness.Detail(answer.Body),
                    "fix what the Database and Migrations lines say; the app becomes ready by itself")];
            case { Status: { } status }:
                return [Finding.Failed(Id, Name, $"{url} answers {status}",
                    $"something other than the app answers at {context.AppAddress.Authority}, or STUFF_BASE_PATH is not the path the app was started with",
                    $"restart the app so it reads its settings again: {context.RestartApp}")];
            case { Failure: ReadyFailure.Refused }:
                return [Finding.Failed(Id, Name, $"nothing listens on {context.AppAddress.Authority}",
                    context.ServiceRunning == false
                        ? "the app is not running (see App service)"
                        : $"the app runs but does not listen on its slot's port {context.LivePort}: a Kestrel endpoint or urls setting in {context.EnvFilePath} overrides the address setup starts it with",
                    context.ServiceRunning == false ? context.StartApp : $"restart the app so it reads its settings again: {context.RestartApp}")];
            case { Failure: ReadyFailure.TimedOut }:
                return [Finding.Failed(Id, Name, $"{url} accepted the connection but did not answer within {Readiness.Timeout.TotalSeconds:0} s",
                    "the app is hung or overloaded (a stopped process, a deadlock, or every thread waiting on the database)",
                    $"restart it: {context.RestartApp}; if it happens again, read its log and the database's")];
            default:
                return [Finding.Failed(Id, Name, $"{url} cannot be reached", answer.Message ?? "", context.RestartApp)];
        }
    }
}
