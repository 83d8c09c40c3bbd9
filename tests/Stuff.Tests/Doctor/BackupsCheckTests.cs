using System.Globalization;
using Stuff.Backups;
using Stuff.Doctor;
using Stuff.Server;
using Stuff.Setup;

namespace Stuff.Tests.Doctor;

/// <summary>The doctor warns when no backup is younger than 26 hours.</summary>
public sealed class BackupsCheckTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("stuff-backups-check-");

    private string Backups => Path.Combine(_root.FullName, "backups");

    public void Dispose() => _root.Delete(recursive: true);

    private async Task<Finding> CheckAsync()
    {
        var env = Path.Combine(_root.FullName, "stuff.env");
        await File.WriteAllTextAsync(env, $"STUFF_BACKUP_DIR={Backups}\n");
        var context = new DoctorContext(new RecordedShell(), new HostFacts(Family.Debian, "Debian", HasSystemd: false, SelinuxEnforcing: false, 15), env, isRoot: false);
        return Assert.Single(await new BackupsCheck().RunAsync(context, CancellationToken.None));
    }

    private void Taken(TimeSpan ago)
    {
        Directory.CreateDirectory(Backups);
        var name = $"stuff-{(DateTime.UtcNow - ago).ToString(Backup.TimeFormat, CultureInfo.InvariantCulture)}-0.1.0-abc.pgdump";
        File.WriteAllText(Path.Combine(Backups, name), "PGDMP");
    }

    [Fact]
    public async Task No_backup_is_a_warning_with_the_command_that_makes_one()
    {
        var finding = await CheckAsync();

        Assert.Equal(Verdict.Warning, finding.Verdict);
        Assert.Contains("no backup in", finding.Summary);
        Assert.Contains("/opt/stuff/bin/stuff backup", finding.Fix);
    }

    [Fact]
    public async Task A_backup_older_than_26_hours_is_a_warning_that_points_at_the_schedule()
    {
        Taken(TimeSpan.FromHours(30));

        var finding = await CheckAsync();

        Assert.Equal(Verdict.Warning, finding.Verdict);
        Assert.Contains("30 hour(s) old", finding.Summary);
        Assert.Contains("cron", finding.Cause);
    }

    [Fact]
    public async Task A_backup_from_today_is_fine()
    {
        Taken(TimeSpan.FromHours(30));
        Taken(TimeSpan.FromHours(2));

        var finding = await CheckAsync();

        Assert.Equal(Verdict.Ok, finding.Verdict);
        Assert.Contains("2 hour(s) old", finding.Summary);
    }
}
