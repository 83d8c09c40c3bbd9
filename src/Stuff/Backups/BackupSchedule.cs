namespace Stuff.Backups;

/// <summary>The daily backup as setup schedules it and the doctor expects it.</summary>
public static class BackupSchedule
{
    public const string ServiceUnit = "stuff-backup.service";
    public const string TimerUnit = "stuff-backup.timer";

    /// <summary>The weekly restore drill.</summary>
    public const string VerifyServiceUnit = "stuff-backup-verify.service";
    public const string VerifyTimerUnit = "stuff-backup-verify.timer";

    /// <summary>Where systemd does not run.</summary>
    public const string CronFile = "/etc/cron.d/stuff-backup";

    /// <summary>Backups kept by the daily run.</summary>
    public const int Keep = 14;

    /// <summary>A day and a margin: the newest backup may be this old before something is wrong.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(26);
}
