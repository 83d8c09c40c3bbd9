using System.Text.Json;
using Npgsql;
using Stuff.Configuration;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Cli;

/// <summary>dumpdata on one database and loaddata on the other, both ways round.</summary>
public abstract class DataCommandTests(DatabaseProvider provider) : CliTests(provider)
{
    private const string Password = "a very fine passphrase";

    private string DumpPath => Path.Combine(DataDirectory, "dump.json");

    private async Task SeedAsync()
    {
        await MigratedAsync();
        await Stuff.With("STUFF_SUPERUSER_PASSWORD", Password).RunAsync("createsuperuser", "--username", "admin", "--email", "a@example.org", "--no-input");
        //#if (sample)
        var data = $$"""
            {"format":"stuff-dump","version":1,
             "stuff":[{"id":3,"junk":"héllo <junk>","things":"line 1\nline 2","somenum":-2147483648},
                      {"id":10,"junk":"second","things":"t","somenum":2147483647}],
             "users":[]}
            """;
        File.WriteAllText(DumpPath, data);
        var load = await Stuff.RunAsync("loaddata", DumpPath);
        Assert.True(load.ExitCode == 0, load.ToString());
        //#endif
    }

    [Fact]
    public async Task A_dump_loads_into_the_other_database_with_the_same_rows()
    {
        await SeedAsync();
        var dump = await Stuff.RunAsync("dumpdata", "--output", DumpPath);
        Assert.True(dump.ExitCode == 0, dump.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DumpPath));

        var other = Provider == DatabaseProvider.Sqlite ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        await using var target = await TestDatabase.CreateAsync(other, DataDirectory);
        var there = new StuffCli(DataDirectory, target.Url);
        AssertSucceeded(await there.RunAsync("migrate"));

        var load = await there.RunAsync("loaddata", DumpPath);
        Assert.True(load.ExitCode == 0, load.ToString());
#if nosample
        Assert.Contains("Loaded 1 user(s) (1 new)", load.Output);
#else
        Assert.Contains("Loaded 2 stuff (2 new, 0 updated) and 1 user(s) (1 new)", load.Output);
#endif

        var roundTrip = await there.RunAsync("dumpdata");
        using var original = JsonDocument.Parse(File.ReadAllText(DumpPath));
        using var copy = JsonDocument.Parse(roundTrip.Output);
        //#if (sample)
        Assert.Equal(original.RootElement.GetProperty("stuff").GetRawText(), copy.RootElement.GetProperty("stuff").GetRawText());
        //#endif
        Assert.Equal("admin", copy.RootElement.GetProperty("users")[0].GetProperty("username").GetString());
        Assert.False(copy.RootElement.GetProperty("users")[0].TryGetProperty("password_hash", out _));
        //#if (sample)

        // Explicit ids must not break the next insert that lets the database pick the id.
        var next = await target.ScalarAsync(
            "INSERT INTO stuff (junk, things, somenum, created_at, updated_at, version) VALUES ('n', 't', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1) RETURNING id");
        Assert.Equal(11L, Convert.ToInt64(next));
        //#endif
    }

    [Fact]
    public async Task Password_hashes_are_only_dumped_when_asked()
    {
        await SeedAsync();

        var without = await Stuff.RunAsync("dumpdata");
        var with = await Stuff.RunAsync("dumpdata", "--include-password-hashes");

        Assert.DoesNotContain("password_hash", without.Output);
        Assert.Contains("\"password_hash\": \"AQAAAA", with.Output);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        //#if (sample)
        { """{"format":"stuff-dump","version":1,"stuff":[{"id":20,"junk":"ok","things":"t","somenum":1},{"id":21,"junk":"","things":"t","somenum":1}]}""", "Record stuff[1] (id 21): junk is empty" },
        { """{"format":"stuff-dump","version":1,"stuff":[{"id":20,"junk":"ok","things":"t","somenum":1},{"id":22,"junk":"ok","things":"t","somenum":2147483648}]}""", "Record stuff[1] (id 22): somenum must be a whole number" },
        { """{"format":"stuff-dump","version":1,"stuff":[{"id":20,"junk":"ok","things":"t","somenum":1},{"id":20,"junk":"ok","things":"t","somenum":1}]}""", "id 20 appears twice" },
        { """{"format":"stuff-dump","version":1,"stuff":[{"id":20,"junk":"ok","things":"t","somenum":1}],"users":[{"username":"bad name!"}]}""", "users[0] (bad name!)" },
        //#endif
        { """{"format":"stuff-dump","version":1,"users":[{"username":"alice"},{"username":"bad name!"}]}""", "users[1] (bad name!)" },
        { """{"format":"stuff-dump","version":1,"users":[{"username":"alice"}""", "is not valid JSON" },
        { """{"stuff":[]}""", "is not a Stuff data file" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task One_bad_record_means_nothing_is_loaded(string json, string message)
    {
        await SeedAsync();
        var before = (await Stuff.RunAsync("dumpdata")).Output;
        File.WriteAllText(DumpPath, json);

        var result = await Stuff.RunAsync("loaddata", DumpPath);

        AssertCleanFailure(result, message);
        Assert.Equal(before, (await Stuff.RunAsync("dumpdata")).Output);
    }
}

public sealed class DataCommandOnSqliteTests() : DataCommandTests(DatabaseProvider.Sqlite);

public sealed class DataCommandOnPostgresTests() : DataCommandTests(DatabaseProvider.Postgres);
