using System.Globalization;
using Stuff.Backups;
using Stuff.Server;

namespace Stuff.Tests.Backups;

/// <summary>What a backup's name says, and which files in the directory are backups.</summary>
public sealed class BackupTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("stuff-backup-names-");

    public void Dispose() => _directory.Delete(recursive: true);

    private FileInfo Write(string name)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, "x");
        return new FileInfo(path);
    }

    [Fact]
    public void The_list_holds_only_backups_newest_first()
    {
        Write("stuff-20261101T120000.000Z-0.1.0-abc.pgdump");
        Write("stuff-20261201T120000.000Z-0.1.0-abc.sqlite");
        Write("stuff-20261115T120000.000Z-0.1.0-abc.pgdump");
        Write("stuff-20261130T120000.000Z-0.1.0-abc.pgdump.tmp");
        Write("notes.txt");

        var names = Backup.List(_directory.FullName).Select(f => f.Name);

        Assert.Equal(["stuff-20261201T120000.000Z-0.1.0-abc.sqlite", "stuff-20261115T120000.000Z-0.1.0-abc.pgdump", "stuff-20261101T120000.000Z-0.1.0-abc.pgdump"], names);
    }

    [Fact]
    public void A_directory_that_does_not_exist_has_no_backups()
    {
        Assert.Empty(Backup.List(Path.Combine(_directory.FullName, "missing")));
    }

    [Fact]
    public void The_name_says_when_the_backup_was_taken_in_utc()
    {
        var at = new DateTime(2026, 12, 2, 13, 4, 5, 678, DateTimeKind.Utc);
        var file = Write($"stuff-{at.ToString(Backup.TimeFormat, CultureInfo.InvariantCulture)}-0.1.0-abc.pgdump");

        Assert.Equal(at, Backup.TakenAt(file));
        Assert.Equal(DateTimeKind.Utc, Backup.TakenAt(file)!.Value.Kind);
        Assert.Null(Backup.TakenAt(Write("stuff-yesterday-0.1.0-abc.pgdump")));
    }

    [Theory]
    [InlineData(512, "512 bytes")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(5L * 1024 * 1024, "5.0 MiB")]
    [InlineData(3L * 1024 * 1024 * 1024, "3.0 GiB")]
    public void Sizes_are_in_binary_units(long bytes, string expected)
    {
        Assert.Equal(expected, Backup.Size(bytes));
    }
}
