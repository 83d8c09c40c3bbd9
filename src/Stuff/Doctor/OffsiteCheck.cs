using Stuff.Backups;
using Stuff.Configuration;

namespace Stuff.Doctor;

/// <summary>
/// The off-site copies: a repository is set (a warning without one), it opens with its password,
/// its newest Stuff snapshot is recent, and the last restore drill passed within the last week.
/// </summary>
public sealed class OffsiteCheck : DoctorCheck
{
    private const string Id = "offsite";
    private const string Name = "Off-site backups";
    private const string DrillId = "restore-drill";
    private const string DrillName = "Restore drill";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        if (context.EnvError is not null)
            return [Finding.Skipped(Id, Name, "needs the env file (see Env file)"), Finding.Skipped(DrillId, DrillName, "needs the env file (see Env file)")];
        OffsiteRepository? repository;
        try
        {
            repository = OffsiteRepository.From(context.Env);
        }
        catch (UserFacingException e)
        {
            return [Finding.Failed(Id, Name, "the repository has no password", e.Message, $"add {OffsiteRepository.PasswordKey}=... to {context.EnvFilePath}")];
        }
        var findings = new List<Finding>();
        if (repository is null)
        {
            findings.Add(Finding.Warning(Id, Name, "no off-site repository",
                "the backups are on this server's own disk: a lost disk or server takes them with it",
                "stuff setup ... --backup-repository sftp:USER@HOST:/PATH (or s3:, b2:, rest:, a mounted disk's path)"));
        }
        else if (!context.IsRoot && Environment.UserName != Server.Layout.ServiceUser)
        {
            findings.Add(Finding.Skipped(Id, Name, "needs root or the service user (the repository's SSH key and password are theirs)"));
        }
        else
        {
            var restic = new Restic(repository, context.Shell);
            try
            {
                var newest = (await restic.SnapshotsAsync(cancellationToken)).LastOrDefault(s => s.Tags.Contains(OffsiteRepository.Tag));
                if (newest is null)
                {
                    findings.Add(Finding.Warning(Id, Name, $"no backup in {repository.Display} yet", "nothing has been sent off-site",
                        context.AsServiceUser("backup")));
                }
                else
                {
                    var age = DateTime.UtcNow - newest.Time;
                    var described = $"{repository.Display}: newest snapshot {newest.ShortId}, {(age.TotalHours < 48 ? $"{age.TotalHours:0} hour(s)" : $"{age.TotalDays:0} days")} old";
                    findings.Add(age <= BackupSchedule.MaxAge
                        ? Finding.Ok(Id, Name, described)
                        : Finding.Failed(Id, Name, described, "the daily backup did not reach the repository: journalctl -u stuff-backup -n 20 says why",
                            context.AsServiceUser("backup")));
                }
            }
            catch (UserFacingException e)
            {
                findings.Add(Finding.Failed(Id, Name, $"{repository.Display} cannot be used", e.Message,
                    e.Message.Contains("password is wrong", StringComparison.Ordinal)
                        ? $"put the repository's own password in {OffsiteRepository.PasswordKey} in {context.EnvFilePath}"
                        : "fix the cause above, then: " + context.AsServiceUser("backup")));
            }
        }

        if (!context.IsRoot && Environment.UserName != Server.Layout.ServiceUser)
        {
            findings.Add(Finding.Skipped(DrillId, DrillName, "needs root or the service user (its result is in the private data directory)"));
            return findings;
        }
        var drill = DrillResult.Read(context.Options.ResolvedDataDirectory);
        var verify = context.AsServiceUser("backup --verify");
        if (drill is null)
            findings.Add(Finding.Warning(DrillId, DrillName, "no restore drill yet", "nobody knows yet that the backups restore", verify));
        else if (!drill.Passed)
            findings.Add(Finding.Failed(DrillId, DrillName, $"the drill of {drill.At:yyyy-MM-dd HH:mm} UTC failed", $"{drill.Source}: {drill.Summary}", $"fix the cause, then: {verify}"));
        else if (DateTime.UtcNow - drill.At > DrillResult.MaxAge)
            findings.Add(Finding.Warning(DrillId, DrillName, $"the last drill passed on {drill.At:yyyy-MM-dd}, {(DateTime.UtcNow - drill.At).TotalDays:0} days ago",
                $"the weekly drill did not run: systemctl status {BackupSchedule.VerifyTimerUnit}", verify));
        else
            findings.Add(Finding.Ok(DrillId, DrillName, $"passed {drill.At:yyyy-MM-dd HH:mm} UTC: {drill.Summary}"));
        return findings;
    }
}
