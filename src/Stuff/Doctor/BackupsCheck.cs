using Stuff.Backups;

namespace Stuff.Doctor;

/// <summary>A recent backup exists (setup schedules one a day); its absence is a warning, not a failure.</summary>
public sealed class BackupsCheck : DoctorCheck
{
    private const string Id = "backups";
    private const string Name = "Backups";

    public override Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var directory = context.Options.ResolvedBackupDirectory;
        var newest = Backup.List(directory).FirstOrDefault();
        var backupNow = context.AsServiceUser("backup");
        if (newest is null)
        {
            return Task.FromResult<IReadOnlyList<Finding>>([Finding.Warning(Id, Name, $"no backup in {directory}",
                "if the database is lost, everything in it is lost", $"{backupNow}\n(setup schedules one a day: run it again to add the schedule)")]);
        }
        var age = DateTime.UtcNow - (Backup.TakenAt(newest) ?? newest.LastWriteTimeUtc);
        var described = $"{newest.Name} ({Backup.Size(newest.Length)}), {(age.TotalHours < 48 ? $"{age.TotalHours:0} hour(s)" : $"{age.TotalDays:0} days")} old";
        if (age <= BackupSchedule.MaxAge) return Task.FromResult<IReadOnlyList<Finding>>([Finding.Ok(Id, Name, described)]);
        var schedule = context.Facts.HasSystemd
            ? $"the daily timer did not run or failed: systemctl status {BackupSchedule.TimerUnit}; journalctl -u stuff-backup -n 20"
            : $"cron did not run it or it failed: is cron running (pgrep cron; apt-get install cron)? see {context.Layout.LogDirectory}/backup.log";
        return Task.FromResult<IReadOnlyList<Finding>>([Finding.Warning(Id, Name, $"the newest backup is {described}", schedule, backupNow)]);
    }
}
