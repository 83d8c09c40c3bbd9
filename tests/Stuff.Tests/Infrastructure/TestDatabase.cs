using Npgsql;
using Stuff.Configuration;

namespace Stuff.Tests.Infrastructure;

/// <summary>
/// A database of its own for one fixture: a fresh PostgreSQL database on the test cluster
/// that ./test.sh starts, or a fresh SQLite file. Dropped afterwards.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string AdminVariable = "STUFF_TEST_POSTGRES";

    private readonly string? _postgresName;
    private readonly string? _admin;

    private TestDatabase(DatabaseProvider provider, string url, string? postgresName, string? admin = null)
    {
        Provider = provider;
        Url = url;
        _postgresName = postgresName;
        _admin = admin;
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The DATABASE_URL that points at this database.</summary>
    public string Url { get; }

    /// <param name="admin">The superuser connection of another server than the suite's cluster (<see cref="PostgresServer"/>).</param>
    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, string directory, string? admin = null)
    {
        if (provider == DatabaseProvider.Sqlite)
            return new TestDatabase(provider, "sqlite://" + Path.Combine(directory, $"test-{Guid.NewGuid():N}.db"), null);

        admin ??= AdminConnectionString();
        var name = $"stuff_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        var b = new NpgsqlConnectionStringBuilder(admin);
        var url = $"postgres://{Uri.EscapeDataString(b.Username!)}:{Uri.EscapeDataString(b.Password ?? "")}@{b.Host}:{b.Port}/{name}";
        return new TestDatabase(provider, url, name, admin);
    }

    /// <summary>The superuser connection to the test cluster; the suite needs it and says how to get it.</summary>
    public static string AdminConnectionString() =>
        Environment.GetEnvironmentVariable(AdminVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{AdminVariable} is not set: run the tests with ./test.sh, which starts a throwaway PostgreSQL cluster and sets it.");

    /// <summary>The restore drill's scratch database beside this one (NAME_drill), as setup makes it; dropped with this one.</summary>
    public async Task CreateDrillDatabaseAsync()
    {
        if (_postgresName is null) return;
        await using var connection = new NpgsqlConnection(_admin ?? AdminConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_postgresName}{DatabaseUrl.DrillSuffix}\"", connection);
        await command.ExecuteNonQueryAsync();
        _drill = true;
    }

    private bool _drill;

    /// <summary>Runs one SQL statement straight on the database, past the app, and returns the first value.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        var url = DatabaseUrl.Parse(Url, "/");
        await using System.Data.Common.DbConnection connection = Provider == DatabaseProvider.Postgres
            ? new NpgsqlConnection(url.ConnectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection(url.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresName is null) return;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin ?? AdminConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
        if (!_drill) return;
        await using var drill = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresName}{DatabaseUrl.DrillSuffix}\" WITH (FORCE)", connection);
        await drill.ExecuteNonQueryAsync();
    }
}
