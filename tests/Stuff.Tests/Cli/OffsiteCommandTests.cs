using System.Globalization;
using Stuff.Backups;
using Stuff.Configuration;

namespace Stuff.Tests.Cli;

/// <summary>
/// stuff backup, restore and backup --list with an off-site repository: real restic (as ./test.sh
/// installs it) on a repository in the test's directory, the same code as any other backend.
/// </summary>
public abstract class OffsiteCommandTests(DatabaseProvider provider) : CliTests(provider)
{
    private string Backups => Path.Combine(DataDirectory, "backups");
    private string RepositoryPath => Path.Combine(DataDirectory, "offsite");

    private StuffCli Offsite(string? repository = null, string password = ResticRepository.Password) => Stuff
        .With("STUFF_BACKUP_DIR", Backups)
        .With(OffsiteRepository.RepositoryKey, repository ?? RepositoryPath)
        .With(OffsiteRepository.PasswordKey, password);

    private async Task<ResticRepository> SeededAsync()
    {
        await MigratedAsync();
        AssertSucceeded(await Stuff.With("STUFF_SUPERUSER_PASSWORD", "a very fine passphrase").RunAsync("createsuperuser", "--username", "kept", "--email", "a@example.org", "--no-input"));
        return await ResticRepository.InitAsync(RepositoryPath);
    }

    private async Task<string> StateAsync()
    {
        var dump = await Stuff.RunAsync("dumpdata", "--include-password-hashes");
        AssertSucceeded(dump);
        return dump.Output;
    }

    private async Task<string> BackupAsync()
    {
        var backup = await Offsite().RunAsync("backup");
        AssertSucceeded(backup);
        Assert.Contains($"Sent it off-site to {RepositoryPath} as snapshot ", backup.Output);
        Assert.DoesNotContain(ResticRepository.Password, backup.ToString());
        return backup.Output.Split("as snapshot ")[1][..8];
    }

    [Fact]
    public async Task A_backup_sent_off_site_restores_from_there_by_id_or_as_the_latest()
    {
        await SeededAsync();
        var before = await StateAsync();
        var snapshot = await BackupAsync();
        AssertSucceeded(await Stuff.With("STUFF_SUPERUSER_PASSWORD", "another fine passphrase").RunAsync("createsuperuser", "--username", "added-after", "--email", "b@example.org", "--no-input"));
        Assert.NotEqual(before, await StateAsync());

        var latest = await Offsite().RunAsync("restore", "--from-repository", "--yes");
        AssertSucceeded(latest);
        Assert.Contains($"Reading snapshot {snapshot}", latest.Output);
        Assert.Equal(before, await StateAsync());
        // Nothing of the snapshot read back stays beside the backups.
        Assert.DoesNotContain(Directory.GetDirectories(Backups), d => Path.GetFileName(d).StartsWith(".restore-", StringComparison.Ordinal));

        AssertSucceeded(await Stuff.With("STUFF_SUPERUSER_PASSWORD", "another fine passphrase").RunAsync("createsuperuser", "--username", "added-again", "--email", "c@example.org", "--no-input"));
        AssertSucceeded(await Offsite().RunAsync("restore", "--from-repository", snapshot[..6], "--yes"));
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task What_is_not_there_or_not_a_stuff_backup_is_refused_and_nothing_changes()
    {
        var repository = await SeededAsync();
        await BackupAsync();
        var state = await StateAsync();
        var notes = Path.Combine(DataDirectory, "notes.txt");
        await File.WriteAllTextAsync(notes, "not a backup");
        var untagged = await repository.SnapshotAsync(notes);
        var tagged = await repository.SnapshotAsync(notes, null, OffsiteRepository.Tag);

        AssertCleanFailure(await Offsite().RunAsync("restore", "--from-repository", "deadbeef", "--yes"), "There is no snapshot 'deadbeef'");
        AssertCleanFailure(await Offsite().RunAsync("restore", "--from-repository", untagged, "--yes"), $"Snapshot {untagged} in {RepositoryPath} is not a Stuff backup (it has no 'stuff' tag). Nothing was changed.");
        AssertCleanFailure(await Offsite().RunAsync("restore", "--from-repository", tagged, "--yes"), $"Snapshot {tagged} holds no {Backup.Extension(DatabaseUrl.Parse(Database.Url, DataDirectory))} backup(s)");
        AssertCleanFailure(await Stuff.RunAsync("restore", "--from-repository", "--yes"), "No off-site repository is set");
        AssertCleanFailure(await Offsite().RunAsync("restore", "--yes"), "Give the backup to restore");
        AssertCleanFailure(await Offsite().RunAsync("restore", "--from-repository", "--yes", "--", notes), "Give the backup to restore");
        Assert.Equal(state, await StateAsync());
    }

    [Fact]
    public async Task A_wrong_password_a_missing_repository_or_a_url_restic_does_not_know_is_explained_and_the_local_backup_kept()
    {
        await SeededAsync();

        var wrong = await Offsite(password: "not the repository's password").RunAsync("backup");
        AssertCleanFailure(wrong, $"but it is not off-site. The password is wrong for {RepositoryPath}: STUFF_BACKUP_PASSWORD in the env file must be the one the repository was made with.");
        Assert.DoesNotContain("not the repository's password", wrong.ToString());
        Assert.Single(Backup.List(Backups));
        AssertCleanFailure(await Offsite(password: "not the repository's password").RunAsync("backup", "--list"), "The password is wrong");

        var missing = Path.Combine(DataDirectory, "never-made");
        AssertCleanFailure(await Offsite(missing).RunAsync("backup"), $"There is no restic repository at {missing}: run stuff setup with --backup-repository to create it.");
        AssertCleanFailure(await Offsite("ftp:backup@example.org/stuff").RunAsync("backup"), "restic does not understand the repository 'ftp:backup@example.org/stuff'");
        AssertCleanFailure(await Offsite("rest:http://127.0.0.1:9/stuff").RunAsync("backup"), "The repository rest:http://127.0.0.1:9/stuff cannot be reached (");
        AssertCleanFailure(await Stuff.With(OffsiteRepository.RepositoryKey, RepositoryPath).RunAsync("backup"), "STUFF_BACKUP_PASSWORD is not set");
        AssertCleanFailure(await Stuff.RunAsync("backup", "--list"), "No off-site repository is set");
    }
}

public sealed class OffsiteCommandTestsOnSqlite() : OffsiteCommandTests(DatabaseProvider.Sqlite);

public sealed class OffsiteCommandTestsOnPostgres() : OffsiteCommandTests(DatabaseProvider.Postgres);

/// <summary>After every backup the repository keeps the newest snapshot of each of the last 7 days, 4 weeks and 12 months that have one.</summary>
public sealed class OffsiteRetentionTests() : CliTests(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task Retention_keeps_7_daily_4_weekly_and_12_monthly_snapshots_and_forgets_the_rest()
    {
        await MigratedAsync();
        var repository = await ResticRepository.InitAsync(Path.Combine(DataDirectory, "offsite"));
        var file = Path.Combine(DataDirectory, "stuff-old.sqlite");
        await File.WriteAllTextAsync(file, "an older backup");
        var now = DateTime.UtcNow;
        var today = now.Date;
        var times = new List<DateTime>();
        // Two a day on some days, one on others, and gaps, over more than a year.
        foreach (var days in new[] { 1, 2, 2, 3, 5, 6, 8, 9, 10, 13, 20, 27, 34, 45, 75, 200, 400 })
            times.Add(today.AddDays(-days).AddHours(times.Count(t => t.Date == today.AddDays(-days)) == 0 ? 20 : 8));
        var ids = new Dictionary<string, DateTime>();
        foreach (var time in times) ids[await repository.SnapshotAsync(file, time, OffsiteRepository.Tag)] = time;

        var offsite = Stuff.With("STUFF_BACKUP_DIR", Path.Combine(DataDirectory, "backups"))
            .With(OffsiteRepository.RepositoryKey, repository.Path).With(OffsiteRepository.PasswordKey, ResticRepository.Password);
        foreach (var _ in new[] { 1, 2 })
        {
            var backup = await offsite.RunAsync("backup");
            AssertSucceeded(backup);
            ids[backup.Output.Split("as snapshot ")[1][..8]] = DateTime.UtcNow;
        }

        var expected = Kept(ids).Order(StringComparer.Ordinal).ToList();
        var kept = (await repository.SnapshotIdsAsync()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, kept);
        Assert.True(kept.Count < ids.Count, "nothing was forgotten");
        var list = await offsite.RunAsync("backup", "--list");
        AssertSucceeded(list);
        Assert.Contains($"{kept.Count} snapshot(s) in {repository.Path} (kept: 7 daily, 4 weekly and 12 monthly snapshots)", list.Output);
    }

    /// <summary>The policy as restic documents it: going from the newest, the first snapshot of each new day, week or month, until the rule has its count.</summary>
    private static IEnumerable<string> Kept(Dictionary<string, DateTime> snapshots)
    {
        var kept = new HashSet<string>();
        foreach (var (count, bucket) in new (int, Func<DateTime, int>)[]
        {
            (7, t => t.Year * 10000 + t.Month * 100 + t.Day),
            (4, t => ISOWeek.GetYear(t) * 100 + ISOWeek.GetWeekOfYear(t)),
            (12, t => t.Year * 100 + t.Month),
        })
        {
            var seen = new List<int>();
            foreach (var (id, time) in snapshots.OrderByDescending(s => s.Value))
            {
                if (seen.Count == count) break;
                if (seen.Count > 0 && seen[^1] == bucket(time)) continue;
                seen.Add(bucket(time));
                kept.Add(id);
            }
        }
        return kept;
    }
}
