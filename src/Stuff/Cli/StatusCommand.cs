using System.CommandLine;
using Stuff.Configuration;
using Stuff.Doctor;
using Stuff.Server;

namespace Stuff.Cli;

/// <summary>
/// `stuff status`: the installed site in a few lines: the live release and slot, its instances,
/// the database, the last backup, the certificate, and whether the doctor would pass. The lines
/// come from the doctor's own checks, so status and doctor never disagree. Changes nothing.
/// </summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show the installed site in a few lines: release, instances, database, last backup, certificate, and the doctor's verdict.");
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var context = await DoctorCommand.ContextAsync(parse, envFile: null, cancellationToken);
            var (facts, layout, releases) = (context.Facts, context.Layout, context.Releases);
            if (releases.LivePort is not { } slot)
                throw new UserFacingException($"No release is live on this host ({layout.AppRoot} has none): install one with stuff setup.");

            var instances = new AppInstances(context.Shell, layout, releases, facts.HasSystemd);
            var states = new List<string>();
            foreach (var port in releases.LivePorts)
                states.Add($"{port} {(await instances.IsRunningAsync(port, cancellationToken) ? "running" : "NOT RUNNING")}");

            var findings = await Examination.RunAsync(context, cancellationToken);
            string Line(string id) => findings.FirstOrDefault(f => f.Id == id) is { } f
                ? (f.Verdict == Verdict.Ok ? f.Summary : $"{Report.Label(f.Verdict).Trim()}: {f.Summary}")
                : "not checked";

            await output.WriteLineAsync($"release      {ReleaseStore.NameOf(releases.LiveRelease)} (slot {slot})");
            await output.WriteLineAsync($"instances    {string.Join(", ", states)}{(facts.HasSystemd ? " (systemd)" : " (stuff supervise)")}");
            await output.WriteLineAsync($"database     {Line("database")}");
            await output.WriteLineAsync($"backups      {Line("backups")}");
            await output.WriteLineAsync($"certificate  {Line("tls")}");
            var failed = findings.Where(f => f.Verdict == Verdict.Failed).Select(f => f.Id).ToList();
            await output.WriteLineAsync(failed.Count == 0
                ? $"doctor       would pass ({Report.Totals(findings)})"
                : $"doctor       would FAIL: {string.Join(", ", failed)} (run stuff doctor for causes and fixes)");
            return failed.Count == 0 ? 0 : 1;
        }));
        return command;
    }
}
