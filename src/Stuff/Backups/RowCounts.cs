using System.Data;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Stuff.Backups;

/// <summary>
/// How many rows each table had when a backup was taken, kept beside it (NAME.counts.json) and in
/// its off-site snapshot, so that a restore drill can tell a whole backup from a partial one.
/// </summary>
public static class RowCounts
{
    public const string Suffix = ".counts.json";

    public static string PathFor(string backup) => backup + Suffix;

    /// <summary>Counts every table of the public schema within the transaction, whose snapshot the dump uses too.</summary>
    public static async Task<SortedDictionary<string, long>> CountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", connection, transaction))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) tables.Add(reader.GetString(0));
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM public.\"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection, transaction);
            counts[table] = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        return counts;
    }

    /// <summary>Counts the tables of a PostgreSQL database as it is now.</summary>
    public static async Task<SortedDictionary<string, long>> CountAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        return await CountAsync(connection, transaction, cancellationToken);
    }

    /// <summary>Counts the tables of a SQLite file.</summary>
    public static async Task<SortedDictionary<string, long>> CountSqliteAsync(string file, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return await CountSqliteAsync(connection, cancellationToken);
    }

    public static async Task<SortedDictionary<string, long>> CountSqliteAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) tables.Add(reader.GetString(0));
        }
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
            counts[table] = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        return counts;
    }

    public static async Task WriteAsync(string path, IReadOnlyDictionary<string, long> counts, CancellationToken cancellationToken)
    {
        await using (File.Create(path, 1, FileOptions.None)) { }
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(counts, Options), cancellationToken);
    }

    /// <summary>The counts kept with a backup; null when there are none (a backup of an older release).</summary>
    public static SortedDictionary<string, long>? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var counts = JsonSerializer.Deserialize<Dictionary<string, long>>(File.ReadAllText(path));
            return counts is null ? null : new SortedDictionary<string, long>(counts, StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The first table whose rows differ, in words; null when every table counted at backup time has its rows.</summary>
    public static string? Difference(IReadOnlyDictionary<string, long> expected, IReadOnlyDictionary<string, long> actual)
    {
        foreach (var (table, rows) in expected)
        {
            if (!actual.TryGetValue(table, out var found)) return $"table {table} is missing (it had {rows} row(s) at backup time)";
            if (found != rows) return $"table {table} has {found} row(s), the live database had {rows} at backup time";
        }
        return null;
    }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };
}
