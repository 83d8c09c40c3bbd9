using Stuff.Server;

namespace Stuff.Setup;

/// <summary>The promise, checked from outside: HTTP redirects to HTTPS, and the list page answers over HTTPS through Apache.</summary>
public sealed class VerifyStep : Step
{
    public override string Name => "Site answers over HTTPS";

    public override bool VerifiesOnly => true;

    public override IEnumerable<string> Describe(SetupContext context) =>
        [$"GET http://{context.Settings.Domain}{context.Settings.BasePath}/ expects a redirect to https", $"GET https://{context.Settings.Domain}{context.Settings.BasePath}/ expects 200 (via 127.0.0.1)"];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        FrontDoorAnswer http = null!, https = null!;
        // Apache may still be taking up its new configuration: an answer that did not come is asked again for a few seconds.
        await Wait.UntilAsync(async token =>
        {
            // A self-signed certificate is the point of --tls self-signed; a given one, or one from
            // Let's Encrypt, must validate; another CA's root is its users' to trust (the
            // certificate step checked that Apache serves the one mod_md got).
            var anyCertificate = context.Settings.Tls == TlsMode.SelfSigned || context.Settings.Acme is { } acme && acme.Ca != AcmeSettings.LetsEncrypt;
            (http, https) = await FrontDoor.AskAsync(context.Settings.Domain, context.Settings.BasePath, anyCertificate,
                TimeSpan.FromSeconds(15), token);
            return http.Error is null && https.Error is null;
        }, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), cancellationToken);

        if (http.Error is { } unreachable) return $"{http.Url} could not be reached: {unreachable}";
        if (!http.RedirectsToHttps) return $"{http.Url} answered {http.Status}, not a redirect to HTTPS";
        if (https.Error is { } failed) return $"{https.Url} could not be reached: {failed}";
        return https.Status == 200 ? null : $"{https.Url} answered {https.Status}";
    }

    public override Task ApplyAsync(SetupContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
