using Stuff.Configuration;

namespace Stuff.Tests.Cli;

/// <summary>backup and restore round trips on a real database, and files that must be refused.</summary>
public abstract class BackupCommandTests(DatabaseProvider provider) : CliTests(provider)
{
    private string Backups => Path.Combine(DataDirectory, "backups");

    private async Task SeedAsync()
    {
        await MigratedAsync();
        AssertSucceeded(await Stuff.With("STUFF_SUPERUSER_PASSWORD", "a very fine passphrase").RunAsync("createsuperuser", "--username", "admin", "--email", "a@example.org", "--no-input"));
        //#if (sample)
        var dump = Path.Combine(DataDirectory, "seed.json");
        await File.WriteAllTextAsync(dump, """
            {"format":"stuff-dump","version":1,
             "stuff":[{"id":1,"junk":"kept","things":"t","somenum":1},
                      {"id":2,"junk":"to be changed","things":"t","somenum":2},
                      {"id":3,"junk":"to be deleted","things":"t","somenum":3}],
             "users":[]}
            """);
        AssertSucceeded(await Stuff.RunAsync("loaddata", dump));
        //#endif
    }

    private async Task<string> StateAsync()
    {
        var dump = await Stuff.RunAsync("dumpdata", "--include-password-hashes");
        AssertSucceeded(dump);
        return dump.Output;
    }

    private async Task<string> BackupAsync()
    {
        var result = await Stuff.RunAsync("backup", "--output-dir", Backups);
        AssertSucceeded(result);
        return Assert.Single(BackupFiles());
    }

    /// <summary>The backups in the directory; each has its row counts beside it, and nothing else is there.</summary>
    private string[] BackupFiles()
    {
        // Besides them only the lock that backups and drills take turns by.
        var files = Directory.GetFiles(Backups).Where(f => Path.GetFileName(f) != ".stuff-backup.lock").ToArray();
        var backups = files.Where(f => !f.EndsWith(".counts.json", StringComparison.Ordinal)).ToArray();
        Assert.Equal(backups.SelectMany(b => new[] { b, b + ".counts.json" }).Order(StringComparer.Ordinal), files.Order(StringComparer.Ordinal));
        return backups;
    }

    [Fact]
    public async Task The_drill_restores_the_newest_backup_into_a_scratch_database_and_finds_one_that_lost_rows()
    {
        await SeedAsync();
        await Database.CreateDrillDatabaseAsync();
        var file = await BackupAsync();
        var drill = await Stuff.With("STUFF_BACKUP_DIR", Backups).RunAsync("backup", "--verify");
        AssertSucceeded(drill);
        Assert.Contains($"Restore drill passed", drill.Output);
        Assert.Contains(Path.GetFileName(file), drill.Output);
        Assert.Contains("as at backup time; migrations apply", drill.Output);
        // The result is kept for the doctor, in the data directory.
        Assert.Contains("\"Passed\": true", await File.ReadAllTextAsync(Path.Combine(DataDirectory, "restore-drill.json")));

        // The counts taken with the backup say one more user than the dump holds: a partial backup.
        var counts = file + ".counts.json";
        var users = System.Text.RegularExpressions.Regex.Match(await File.ReadAllTextAsync(counts), "\"AspNetUsers\": (\\d+)");
        Assert.True(users.Success, await File.ReadAllTextAsync(counts));
        await File.WriteAllTextAsync(counts, (await File.ReadAllTextAsync(counts)).Replace(users.Value, $"\"AspNetUsers\": {int.Parse(users.Groups[1].Value) + 1}"));
        var failed = await Stuff.With("STUFF_BACKUP_DIR", Backups).RunAsync("backup", "--verify");
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains($"Restore drill FAILED", failed.Output);
        Assert.Contains($"table AspNetUsers has {users.Groups[1].Value} row(s), the live database had {int.Parse(users.Groups[1].Value) + 1} at backup time", failed.Output);
        Assert.Contains("\"Passed\": false", await File.ReadAllTextAsync(Path.Combine(DataDirectory, "restore-drill.json")));
    }

    private async Task ChangeEverythingAsync()
    {
        await Database.ScalarAsync("UPDATE \"AspNetUsers\" SET \"Email\" = 'changed-after-the-backup@example.org'");
        AssertSucceeded(await Stuff.With("STUFF_SUPERUSER_PASSWORD", "another fine passphrase").RunAsync("createsuperuser", "--username", "added-after", "--email", "b@example.org", "--no-input"));
        //#if (sample)
        await Database.ScalarAsync("UPDATE stuff SET junk = 'changed after the backup' WHERE id = 2");
        await Database.ScalarAsync("DELETE FROM stuff WHERE id = 3");
        await Database.ScalarAsync("INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version) SELECT 'added after', 't', 9, created_at, updated_at, 1 FROM stuff WHERE id = 1");
        //#endif
    }

    [Fact]
    public async Task A_restore_brings_back_exactly_the_state_of_the_backup()
    {
        await SeedAsync();
        var before = await StateAsync();
        var file = await BackupAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        await ChangeEverythingAsync();
        Assert.NotEqual(before, await StateAsync());

        var restore = await Stuff.RunAsync("restore", file, "--yes");

        AssertSucceeded(restore);
        Assert.Contains($"Restored {Path.GetFileName(file)}", restore.Output);
        Assert.Equal(before, await StateAsync());
        AssertSucceeded(await Stuff.RunAsync("check"));
        //#if (sample)
        // The id sequence came back with the rows: a new row gets an id after the restored ones.
        var id = Convert.ToInt64(await Database.ScalarAsync("INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version) SELECT 'after the restore', 't', 5, created_at, updated_at, 1 FROM stuff WHERE id = 1 RETURNING id"));
        Assert.True(id > 3, $"new row got id {id}");
        //#endif
    }

    [Fact]
    public async Task A_cut_short_backup_is_refused_and_nothing_changes()
    {
        await SeedAsync();
        var file = await BackupAsync();
        var cut = Path.Combine(DataDirectory, "cut" + Path.GetExtension(file));
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(cut, bytes[..(bytes.Length * 2 / 3)]);
        await ChangeEverythingAsync();
        var changed = await StateAsync();

        var restore = await Stuff.RunAsync("restore", cut, "--yes");

        AssertCleanFailure(restore, "Nothing was changed.");
        Assert.Equal(changed, await StateAsync());
    }

    [Fact]
    public async Task A_file_that_is_not_a_backup_is_refused()
    {
        await SeedAsync();
        var other = Path.Combine(DataDirectory, "notes.txt");
        await File.WriteAllTextAsync(other, "not a backup at all");

        AssertCleanFailure(await Stuff.RunAsync("restore", other, "--yes"), "notes.txt is not a Stuff backup");
        AssertCleanFailure(await Stuff.RunAsync("restore", Path.Combine(DataDirectory, "missing.pgdump"), "--yes"), "does not exist");
    }

    [Fact]
    public async Task Restore_asks_first_and_changes_nothing_without_a_yes()
    {
        await SeedAsync();
        var file = await BackupAsync();
        await ChangeEverythingAsync();
        var changed = await StateAsync();

        AssertCleanFailure(await Stuff.RunWithInputAsync("no\n", "restore", file), "Not confirmed; nothing was changed.");
        AssertCleanFailure(await Stuff.RunWithInputAsync("", "restore", file), "Add --yes to restore from a script.");
        Assert.Equal(changed, await StateAsync());
        AssertSucceeded(await Stuff.RunWithInputAsync("yes\n", "restore", file));
    }

    [Fact]
    public async Task Only_the_newest_backups_are_kept()
    {
        await SeedAsync();
        for (var i = 0; i < 3; i++) AssertSucceeded(await Stuff.RunAsync("backup", "--output-dir", Backups, "--keep", "2"));

        Assert.Equal(2, BackupFiles().Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Backups));
        AssertCleanFailure(await Stuff.RunAsync("backup", "--output-dir", Backups, "--keep", "0"), "--keep must be 1 or more");
    }
}

public sealed class BackupCommandTestsOnSqlite() : BackupCommandTests(DatabaseProvider.Sqlite);

public sealed class BackupCommandTestsOnPostgres() : BackupCommandTests(DatabaseProvider.Postgres);
