using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Stuff.Backups;
using Stuff.Configuration;
using Stuff.Data;
using Stuff.Hosting;
using Stuff.Server;
using Stuff.Setup;

namespace Stuff.Releases;

/// <summary>
/// Back to the release installed before the live one, switched the way setup switches (started
/// beside the live one, ready, Apache reloaded gracefully, the old one drained). Migrations the
/// older release does not know are reverted first when they allow it; otherwise nothing changes
/// and the backup from before the upgrade is offered, with what it would lose.
/// </summary>
public sealed class Rollback(IShell shell, HostFacts facts, TextWriter output)
{
    /// <summary>The setup steps that switch the live release, in setup's order.</summary>
    public static IReadOnlyList<Step> SwitchSteps() =>
        [.. Setup.Plan.Steps().Where(s => s is CollectStaticStep or ServiceStep or ApacheSiteStep or RetireStep or VerifyStep)];

    public async Task RunAsync(FileInfo? restoreBackup, CancellationToken cancellationToken)
    {
        var layout = new Layout(facts.Family, facts.PostgresVersion);
        var store = layout.Releases;
        var live = store.LiveRelease ?? throw new UserFacingException("No release is live here; run stuff setup first.");
        var previous = store.Previous()
            ?? throw new UserFacingException($"No release older than the live one ({ReleaseStore.NameOf(live)}) is installed in {store.ReleasesDirectory}; there is nothing to roll back to.");
        var context = new SetupContext(shell, facts, SettingsFromInstall(layout, previous)) { Release = previous };
        await output.WriteLineAsync($"Rolling back from {ReleaseStore.NameOf(live)} to {ReleaseStore.NameOf(previous)}.");

        if (restoreBackup is not null) await RestoreWithAsync(context, previous, restoreBackup, cancellationToken);
        else await RevertMigrationsAsync(context, live, previous, cancellationToken);

        await StepRunner.RunAsync(context, SwitchSteps(), output, cancellationToken);
        await output.WriteLineAsync($"Release {ReleaseStore.NameOf(previous)} serves https://{context.Settings.Domain}{context.Settings.BasePath}/; {ReleaseStore.NameOf(live)} stays installed (stuff setup from it switches back).");
    }

    /// <summary>
    /// The migrations applied now that the older release does not know (newest first), and the
    /// last migration it does know, to revert to; no migrations to revert when it knows them all.
    /// </summary>
    public static (string? Target, IReadOnlyList<string> Revert) Plan(IReadOnlyList<string> applied, IReadOnlyList<string> knownToOlder)
    {
        var known = knownToOlder.ToHashSet(StringComparer.Ordinal);
        var revert = applied.Where(m => !known.Contains(m)).OrderDescending(StringComparer.Ordinal).ToList();
        if (revert.Count == 0) return (null, []);
        var target = applied.Where(known.Contains).Order(StringComparer.Ordinal).LastOrDefault() ?? "0";
        return (target, revert);
    }

    /// <summary>The newest backup taken before a release went live (setup takes one just before): the state the older release last wrote.</summary>
    public static FileInfo? BackupBefore(IEnumerable<FileInfo> backups, DateTime liveSince) =>
        backups.Where(b => Backup.TakenAt(b) is { } at && at <= liveSince).MaxBy(b => Backup.TakenAt(b));

    /// <summary>The site as setup installed it: its name and path from the env file, the kind of certificate from the certificate.</summary>
    private static SetupSettings SettingsFromInstall(Layout layout, string release)
    {
        if (!File.Exists(layout.EnvFile)) throw new UserFacingException($"{layout.EnvFile} is missing; run stuff setup first.");
        var env = EnvFile.ReadValues(layout.EnvFile);
        var domain = env.GetValueOrDefault("STUFF_DOMAIN") is { Length: > 0 } d ? d : throw new UserFacingException($"STUFF_DOMAIN is missing from {layout.EnvFile}; run stuff setup again.");
        var basePath = StuffOptions.NormalizeBasePath(env.GetValueOrDefault("STUFF_BASE_PATH")) ?? "";
        var site = ApacheSite.Read(layout.ApacheSiteFile);
        var selfSigned = false;
        if (site?.Acme is null && File.Exists(layout.CertificateFile))
        {
            using var certificate = X509CertificateLoader.LoadCertificateFromFile(layout.CertificateFile);
            selfSigned = certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);
        }
        var mode = site?.Acme is not null ? TlsMode.Acme : selfSigned ? TlsMode.SelfSigned : TlsMode.Provided;
        return new SetupSettings(domain, basePath, mode, null, null, ReleaseStore.BinOf(release), Math.Max(1, layout.Releases.LiveInstances))
        { AppHosts = AppHost.InSite(layout.ApacheSiteFile), Acme = site?.Acme };
    }

    private async Task RevertMigrationsAsync(SetupContext context, string live, string previous, CancellationToken cancellationToken)
    {
        var (now, _) = await context.App.MigrationsAsync(ReleaseStore.ExecutableOf(live), cancellationToken);
        var (older, _) = await context.App.MigrationsAsync(ReleaseStore.ExecutableOf(previous), cancellationToken);
        if (now is not { Known.Count: > 0 } || older is not { Known.Count: > 0 })
            throw new UserFacingException("the migrations could not be listed, so nothing was changed; `stuff doctor` says why the database cannot be read.");
        var (target, revert) = Plan(now.Applied, older.Known);
        if (target is null) return;

        await output.WriteLineAsync($"{ReleaseStore.NameOf(previous)} does not know {revert.Count} applied migration(s): {string.Join(", ", revert)}; reverting them to {target} first.");
        var backup = await context.App.RunAsync(ReleaseStore.ExecutableOf(live), cancellationToken, "backup");
        if (!backup.Ok) throw new UserFacingException("stuff backup failed before the migrations were reverted, so nothing was changed: " + backup.Tail(3));
        await output.WriteLineAsync(backup.Output.Trim());
        var result = await context.App.RunAsync(ReleaseStore.ExecutableOf(live), cancellationToken, "migrate", "--to", target);
        if (result.Ok)
        {
            await output.WriteLineAsync(result.Output.Trim());
            return;
        }
        throw new UserFacingException(await RefusalAsync(context, live, previous, result.Tail(3), cancellationToken));
    }

    /// <summary>Why the rollback cannot go ahead, the backup that would let it, and what restoring that backup loses.</summary>
    private static async Task<string> RefusalAsync(SetupContext context, string live, string previous, string why, CancellationToken cancellationToken)
    {
        var lines = new List<string>
        {
            $"{ReleaseStore.NameOf(live)} changed the database in a way {ReleaseStore.NameOf(previous)} cannot use, and the change cannot be reverted:",
            "  " + why.Replace("stuff: error: ", "", StringComparison.Ordinal).Trim(),
            $"Nothing was changed; {ReleaseStore.NameOf(live)} keeps serving.",
        };
        var liveSince = context.Releases.LivePort is { } port ? context.Releases.LiveSince(port) ?? DateTime.UtcNow : DateTime.UtcNow;
        var backupDirectory = EnvFile.ReadValues(context.Layout.EnvFile).GetValueOrDefault("STUFF_BACKUP_DIR") is { Length: > 0 } dir ? dir : context.Layout.BackupDirectory;
        if (BackupBefore(Backup.List(backupDirectory), liveSince) is not { } backup)
        {
            lines.Add($"There is no backup in {backupDirectory} from before {ReleaseStore.NameOf(live)} went live, so the older release cannot be brought back.");
            return string.Join(Environment.NewLine, lines);
        }
        var takenAt = Backup.TakenAt(backup)!.Value;
        lines.Add($"To go back anyway, restore the backup taken before the upgrade ({takenAt:yyyy-MM-dd HH:mm} UTC) with the older release, and switch to it:");
        lines.Add($"  sudo {context.Layout.Executable} rollback --restore-backup {backup.FullName}");
        lines.Add("That loses what was written since: " + await WrittenSinceAsync(context, takenAt, cancellationToken) + ".");
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Counts what restoring a backup of that time would lose, read with the installed settings.</summary>
    private static async Task<string> WrittenSinceAsync(SetupContext context, DateTime since, CancellationToken cancellationToken)
    {
        try
        {
            await using var app = StuffHost.BuildForCommand(verbose: false, new Dictionary<string, string?> { [EnvFile.PathVariable] = context.Layout.EnvFile });
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var rows = new List<string>();
            foreach (var model in SiteModels.Registered)
            {
                if (await model.CountChangedSinceAsync(db, since, cancellationToken) is { } count) rows.Add($"{count} {model.Name} row(s)");
            }
            var changes = await db.Log.CountAsync(l => l.ActionTime > since, cancellationToken);
            var history = $"{changes} recorded change(s) in the history (additions, edits and deletions made through the site, users and groups included)";
            return rows.Count == 0 ? history : $"{string.Join(", ", rows)} added or changed, and {history}";
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or UserFacingException)
        {
            return "(the database could not be read to count it: " + UserFacingException.Describe(e) + ")";
        }
    }

    private async Task RestoreWithAsync(SetupContext context, string previous, FileInfo backup, CancellationToken cancellationToken)
    {
        if (!backup.Exists) throw new UserFacingException($"{backup.FullName} does not exist; nothing was changed.");
        await output.WriteLineAsync($"Restoring {backup.FullName} with {ReleaseStore.NameOf(previous)} ...");
        var result = await context.Shell.RunAsync("env", [$"{EnvFile.PathVariable}={context.Layout.EnvFile}", ReleaseStore.ExecutableOf(previous), "restore", backup.FullName, "--yes"], cancellationToken);
        if (!result.Ok) throw new UserFacingException("the restore failed, so the live release was not switched: " + result.Tail(4));
        await output.WriteLineAsync(result.Output.Trim());
    }
}
