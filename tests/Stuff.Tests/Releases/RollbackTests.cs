using Stuff.Releases;
using Stuff.Server;

namespace Stuff.Tests.Releases;

/// <summary>What a rollback reverts, read from `stuff migrate --list --json` of both releases.</summary>
public sealed class RollbackTests
{
    private const string Newer = """
        {"known":["20261125010651_Initial","20261125033851_AdminLog","20261201090000_Tags"],"applied":["20261125010651_Initial","20261125033851_AdminLog","20261201090000_Tags"]}
        """;

    // The older release asked of the same database: it does not know the newest migration.
    private const string Older = """
        {"known":["20261125010651_Initial","20261125033851_AdminLog"],"applied":["20261125010651_Initial","20261125033851_AdminLog","20261201090000_Tags"]}
        """;

    private static MigrationList Parse(string json) => MigrationList.Parse(json) ?? throw new InvalidOperationException("not a list");

    [Fact]
    public void The_list_names_known_applied_and_pending_migrations()
    {
        var older = Parse(Older);

        Assert.Equal(["20261125010651_Initial", "20261125033851_AdminLog"], older.Known);
        Assert.Equal(["20261125010651_Initial", "20261125033851_AdminLog", "20261201090000_Tags"], older.Applied);
        Assert.Empty(older.Pending);
        Assert.Equal(["20261201090000_Tags"], new MigrationList(Parse(Newer).Known, ["20261125010651_Initial", "20261125033851_AdminLog"]).Pending);
    }

    [Theory]
    [InlineData("Migrations for postgres://stuff@127.0.0.1:5432/stuff:\n  [X] 20261125010651_Initial")]
    [InlineData("{\"known\":[]}")]
    [InlineData("")]
    public void Text_that_is_not_a_list_is_no_list(string text) => Assert.Null(MigrationList.Parse(text));

    [Fact]
    public void Migrations_the_older_release_does_not_know_are_reverted_to_its_last_one()
    {
        var (target, revert) = Rollback.Plan(Parse(Newer).Applied, Parse(Older).Known);

        Assert.Equal("20261125033851_AdminLog", target);
        Assert.Equal(["20261201090000_Tags"], revert);
    }

    [Fact]
    public void Nothing_is_reverted_when_the_older_release_knows_every_applied_migration()
    {
        var (target, revert) = Rollback.Plan(Parse(Older).Known, Parse(Newer).Known);

        Assert.Null(target);
        Assert.Empty(revert);
    }

    [Fact]
    public void The_backup_to_offer_is_the_newest_one_from_before_the_upgrade()
    {
        FileInfo Backup(string at) => new($"/var/backups/stuff/stuff-{at}-0.1.0-abc.pgdump");
        var backups = new[] { Backup("20261130T033000.000Z"), Backup("20261201T085959.500Z"), Backup("20261201T093000.000Z") };

        var chosen = Rollback.BackupBefore(backups, new DateTime(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc));

        Assert.Equal(backups[1], chosen);
        Assert.Null(Rollback.BackupBefore(backups, new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc)));
    }
}
