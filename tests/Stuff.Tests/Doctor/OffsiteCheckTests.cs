using Stuff.Backups;
using Stuff.Doctor;
using Stuff.Server;

namespace Stuff.Tests.Doctor;

/// <summary>The doctor's view of the off-site repository (real restic, a repository in a directory) and of the last restore drill.</summary>
public sealed class OffsiteCheckTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("stuff-offsite-check-");

    private string Data => Path.Combine(_root.FullName, "data");
    private string RepositoryPath => Path.Combine(_root.FullName, "repository");

    public void Dispose() => _root.Delete(recursive: true);

    private async Task<Dictionary<string, Finding>> CheckAsync(string? repository, string password = ResticRepository.Password)
    {
        var env = Path.Combine(_root.FullName, "stuff.env");
        await File.WriteAllTextAsync(env, $"STUFF_DATA_DIR={Data}\n" + (repository is null ? "" : $"STUFF_BACKUP_REPOSITORY={repository}\nSTUFF_BACKUP_PASSWORD={password}\n"));
        var context = new DoctorContext(new ProcessShell(), new HostFacts(Family.Debian, "Debian", HasSystemd: true, SelinuxEnforcing: false, 15), env, isRoot: true);
        return (await new OffsiteCheck().RunAsync(context, CancellationToken.None)).ToDictionary(f => f.Id);
    }

    private async Task<ResticRepository> RepositoryWithSnapshotAsync(TimeSpan ago)
    {
        var repository = await ResticRepository.InitAsync(RepositoryPath);
        var file = Path.Combine(_root.FullName, "stuff-backup.pgdump");
        await File.WriteAllTextAsync(file, "PGDMP");
        await repository.SnapshotAsync(file, DateTime.UtcNow - ago, OffsiteRepository.Tag, "release:0.1.0-abc");
        return repository;
    }

    [Fact]
    public async Task No_repository_is_a_warning_that_says_how_to_set_one()
    {
        var findings = await CheckAsync(null);

        Assert.Equal(Verdict.Warning, findings["offsite"].Verdict);
        Assert.Contains("--backup-repository", findings["offsite"].Fix);
        Assert.Equal(Verdict.Warning, findings["restore-drill"].Verdict);
        Assert.Contains("stuff backup --verify", findings["restore-drill"].Fix);
    }

    [Fact]
    public async Task A_recent_snapshot_is_fine_and_one_older_than_26_hours_fails()
    {
        var repository = await RepositoryWithSnapshotAsync(TimeSpan.FromHours(30));
        var old = (await CheckAsync(RepositoryPath))["offsite"];
        Assert.Equal(Verdict.Failed, old.Verdict);
        Assert.Contains("30 hour(s) old", old.Summary);
        Assert.Contains("journalctl -u stuff-backup", old.Cause);

        var file = Path.Combine(_root.FullName, "stuff-newer.pgdump");
        await File.WriteAllTextAsync(file, "PGDMP newer");
        var newest = await repository.SnapshotAsync(file, DateTime.UtcNow.AddHours(-2), OffsiteRepository.Tag);
        var fine = (await CheckAsync(RepositoryPath))["offsite"];
        Assert.Equal(Verdict.Ok, fine.Verdict);
        Assert.Contains($"newest snapshot {newest}, 2 hour(s) old", fine.Summary);
    }

    [Fact]
    public async Task A_wrong_password_or_an_unreachable_repository_fails_with_the_fix()
    {
        await RepositoryWithSnapshotAsync(TimeSpan.FromHours(1));

        var wrong = (await CheckAsync(RepositoryPath, "not the password"))["offsite"];
        Assert.Equal(Verdict.Failed, wrong.Verdict);
        Assert.Contains("password is wrong", wrong.Cause);
        Assert.Contains("STUFF_BACKUP_PASSWORD", wrong.Fix);
        Assert.DoesNotContain("not the password", wrong.ToString());

        var unreachable = (await CheckAsync("rest:http://127.0.0.1:9/stuff"))["offsite"];
        Assert.Equal(Verdict.Failed, unreachable.Verdict);
        Assert.Contains("cannot be reached", unreachable.Cause);
    }

    [Fact]
    public async Task The_last_drill_is_reported_failed_stale_or_fine()
    {
        new DrillResult(DateTime.UtcNow.AddHours(-3), "snapshot 1234abcd", false, "table stuff has 2 row(s), the live database had 3 at backup time", 1.5).Write(Data);
        var failed = (await CheckAsync(null))["restore-drill"];
        Assert.Equal(Verdict.Failed, failed.Verdict);
        Assert.Contains("snapshot 1234abcd: table stuff has 2 row(s)", failed.Cause);

        new DrillResult(DateTime.UtcNow.AddDays(-9), "snapshot 1234abcd", true, "restored", 1.5).Write(Data);
        var stale = (await CheckAsync(null))["restore-drill"];
        Assert.Equal(Verdict.Warning, stale.Verdict);
        Assert.Contains("9 days ago", stale.Summary);
        Assert.Contains(BackupSchedule.VerifyTimerUnit, stale.Cause);

        new DrillResult(DateTime.UtcNow.AddDays(-2), "snapshot 1234abcd", true, "restored snapshot 1234abcd: 9 tables, 40 rows", 1.5).Write(Data);
        var fine = (await CheckAsync(null))["restore-drill"];
        Assert.Equal(Verdict.Ok, fine.Verdict);
        Assert.Contains("9 tables, 40 rows", fine.Summary);
    }
}
