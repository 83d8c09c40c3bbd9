using Stuff.Backups;
using Stuff.Server;

namespace Stuff.Setup;

/// <summary>A backup every day (a systemd timer, or cron where systemd does not run), and one now when none is recent.</summary>
public sealed class BackupScheduleStep : Step
{
    public override string Name => "Daily backups";

    public override IEnumerable<string> Describe(SetupContext context) =>
    [
        .. Templates.BackupSchedule(context).SelectMany(f => f.Describe()),
        .. context.Facts.HasSystemd ? new[] { $"run systemctl daemon-reload; systemctl enable --now {BackupSchedule.TimerUnit} {BackupSchedule.VerifyTimerUnit}" } : [],
        context.DescribeRelease("backup") + $"   (when no backup is younger than {BackupSchedule.MaxAge.TotalHours:0} hours)",
    ];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (Templates.BackupSchedule(context).Select(f => f.Difference()).FirstOrDefault(d => d is not null) is { } difference) return difference;
        foreach (var timer in new[] { BackupSchedule.TimerUnit, BackupSchedule.VerifyTimerUnit })
            if (context.Facts.HasSystemd && !(await context.Shell.RunAsync("systemctl", ["is-enabled", "--quiet", timer], cancellationToken)).Ok)
                return $"{timer} is not enabled";
        return Backup.NewestAge(context.Layout.BackupDirectory) < BackupSchedule.MaxAge ? null : $"no backup from the last {BackupSchedule.MaxAge.TotalHours:0} hours";
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        foreach (var file in Templates.BackupSchedule(context).Where(f => f.Difference() is not null))
            await file.WriteAsync(context.Shell, cancellationToken);
        if (context.Facts.HasSystemd)
        {
            await context.Shell.MustAsync("systemctl", ["daemon-reload"], cancellationToken);
            await context.Shell.MustAsync("systemctl", ["enable", "--now", BackupSchedule.TimerUnit, BackupSchedule.VerifyTimerUnit], cancellationToken);
        }
        if (Backup.NewestAge(context.Layout.BackupDirectory) >= BackupSchedule.MaxAge) await BackupNowAsync(context, cancellationToken);
    }

    public static async Task BackupNowAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var result = await context.RunReleaseAsync(cancellationToken, "backup");
        if (!result.Ok) throw new ServerException("stuff backup failed:" + Environment.NewLine + result.Tail());
    }
}
