using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using Stuff.Configuration;
using Stuff.Hosting;
using Stuff.Server;

namespace Stuff.Backups;

/// <summary>
/// Backups of the site's database: pg_dump's custom format for PostgreSQL, SQLite's online
/// backup for the embedded file. Files are named stuff-TIME-RELEASE.EXT, written beside their
/// final name with mode 0600 and renamed into place, so a half-written backup never looks whole.
/// </summary>
public static class Backup
{
    private const string Prefix = "stuff-";

    /// <summary>The file names of backups of <paramref name="database"/>'s kind, as a search pattern.</summary>
    public static string Pattern(DatabaseUrl database) => Prefix + "*" + Extension(database);
    private const string PostgresExtension = ".pgdump";
    private const string SqliteExtension = ".sqlite";

    public static string Extension(DatabaseUrl database) => database.Provider == DatabaseProvider.Postgres ? PostgresExtension : SqliteExtension;

    /// <summary>The backups in a directory, newest first (the name sorts by time).</summary>
    public static IReadOnlyList<FileInfo> List(string directory) =>
        Directory.Exists(directory)
            ? [.. new DirectoryInfo(directory).GetFiles(Prefix + "*")
                .Where(f => f.Name.EndsWith(PostgresExtension, StringComparison.Ordinal) || f.Name.EndsWith(SqliteExtension, StringComparison.Ordinal))
                .OrderByDescending(f => f.Name, StringComparer.Ordinal)]
            : [];

    /// <summary>Makes the backup directory (mode 0700) when it is missing, or says why it cannot.</summary>
    internal static void CreateDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot create {directory}: permission denied. {WhatToDo}");
        }
    }

    /// <summary>What to say when the backup directory is not the process's to write.</summary>
    internal static UserFacingException CannotWrite(string directory) => new($"Cannot write in {directory}: permission denied. {WhatToDo}");

    private const string WhatToDo = "Run as the service user or root, or choose another directory with --output-dir or STUFF_BACKUP_DIR.";

    /// <summary>Writes a backup and removes all but the newest <paramref name="keep"/>.</summary>
    public static async Task<FileInfo> CreateAsync(DatabaseUrl database, string directory, int keep, CancellationToken cancellationToken)
    {
        CreateDirectory(directory);
        var name = $"{Prefix}{DateTime.UtcNow.ToString(TimeFormat, CultureInfo.InvariantCulture)}-{AppInfo.Version}-{AppInfo.Commit}{Extension(database)}";
        var final = Path.Combine(directory, name);
        var partial = Path.Combine(directory, "." + name + ".partial");
        try
        {
            // Made with mode 0600 first: the dump holds every password hash.
            await using (File.Create(partial, 1, FileOptions.None)) { }
            File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch (UnauthorizedAccessException)
        {
            throw CannotWrite(directory);
        }

        try
        {
            SortedDictionary<string, long> counts;
            if (database.Provider == DatabaseProvider.Postgres)
            {
                // The rows are counted in a transaction whose snapshot pg_dump then dumps, so the
                // counts are exactly what the dump holds, whatever is written meanwhile.
                await using var connection = new NpgsqlConnection(database.ConnectionString);
                try
                {
                    await connection.OpenAsync(cancellationToken);
                }
                catch (NpgsqlException e)
                {
                    throw new UserFacingException($"Cannot back up {database}: {e.Message}");
                }
                await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
                string snapshot;
                try
                {
                    await using var export = new NpgsqlCommand("SELECT pg_export_snapshot()", connection, transaction);
                    snapshot = (string)(await export.ExecuteScalarAsync(cancellationToken))!;
                    counts = await RowCounts.CountAsync(connection, transaction, cancellationToken);
                }
                catch (PostgresException e)
                {
                    throw new UserFacingException($"Cannot back up {database}: {e.MessageText} (the role in DATABASE_URL must own the site's tables).");
                }
                var result = await PgAsync("pg_dump", database, ["--format=custom", "--no-owner", "--no-privileges", "--snapshot", snapshot, "--file", partial], cancellationToken);
                if (result.ExitCode != 0) throw new UserFacingException("pg_dump failed: " + result.Tail);
                await transaction.CommitAsync(cancellationToken);
            }
            else
            {
                await using var source = new SqliteConnection(database.ConnectionString + ";Mode=ReadOnly");
                await source.OpenAsync(cancellationToken);
                await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ConnectionString);
                await target.OpenAsync(cancellationToken);
                source.BackupDatabase(target);
                counts = await RowCounts.CountSqliteAsync(target, cancellationToken);
            }
            await RowCounts.WriteAsync(RowCounts.PathFor(final), counts, cancellationToken);
            File.Move(partial, final);
        }
        finally
        {
            File.Delete(partial);
            if (!File.Exists(final)) File.Delete(RowCounts.PathFor(final));
        }

        foreach (var old in List(directory).Skip(Math.Max(1, keep)))
        {
            old.Delete();
            File.Delete(RowCounts.PathFor(old.FullName));
        }
        return new FileInfo(final);
    }

    /// <summary>
    /// Checks that the file is a whole backup of a Stuff database, reading all of it; throws a
    /// <see cref="UserFacingException"/> that says what is wrong, before anything is changed.
    /// </summary>
    public static async Task VerifyAsync(FileInfo file, DatabaseUrl database, CancellationToken cancellationToken)
    {
        if (!file.Exists) throw new UserFacingException($"{file.FullName} does not exist.");
        var header = new byte[16];
        await using (var stream = file.OpenRead())
            _ = await stream.ReadAsync(header, cancellationToken);
        var isPostgres = header.AsSpan(0, 5).SequenceEqual("PGDMP"u8);
        var isSqlite = header.AsSpan().SequenceEqual("SQLite format 3\0"u8);
        var expected = database.Provider == DatabaseProvider.Postgres ? isPostgres : isSqlite;
        if (!isPostgres && !isSqlite)
            throw new UserFacingException($"{file.Name} is not a Stuff backup (neither a PostgreSQL custom-format dump nor a SQLite file). Nothing was changed.");
        if (!expected)
            throw new UserFacingException($"{file.Name} is a {(isPostgres ? "PostgreSQL" : "SQLite")} backup, but DATABASE_URL names a {(database.Provider == DatabaseProvider.Postgres ? "PostgreSQL" : "SQLite")} database. Nothing was changed.");

        if (isPostgres)
        {
            var list = await PgAsync("pg_restore", null, ["--list", file.FullName], cancellationToken);
            if (list.ExitCode != 0) throw new UserFacingException($"{file.Name} cannot be read as a dump: {list.Tail} Nothing was changed.");
            // The site's own history table, which every Stuff database has whatever models it declares.
            if (!list.Output.Contains(" TABLE public admin_log ", StringComparison.Ordinal) || !list.Output.Contains("__EFMigrationsHistory", StringComparison.Ordinal))
                throw new UserFacingException($"{file.Name} is a PostgreSQL dump, but not of a Stuff database (no admin_log table or migration history). Nothing was changed.");
            // Reading every byte is the only way to know the file is not cut short.
            var whole = await PgAsync("pg_restore", null, ["--file=/dev/null", file.FullName], cancellationToken);
            if (whole.ExitCode != 0) throw new UserFacingException($"{file.Name} is damaged or cut short: {whole.Tail} Nothing was changed.");
            return;
        }

        try
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file.FullName, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            var verdict = (string?)await check.ExecuteScalarAsync(cancellationToken);
            if (verdict != "ok") throw new UserFacingException($"{file.Name} is damaged: {verdict}. Nothing was changed.");
            check.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('admin_log', '__EFMigrationsHistory')";
            if (Convert.ToInt32(await check.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) != 2)
                throw new UserFacingException($"{file.Name} is a SQLite file, but not a Stuff database. Nothing was changed.");
        }
        catch (SqliteException e)
        {
            throw new UserFacingException($"{file.Name} is damaged or cut short: {e.Message} Nothing was changed.");
        }
    }

    /// <summary>Replaces the database's contents with the backup's, in one transaction. Call <see cref="VerifyAsync"/> first.</summary>
    public static async Task RestoreAsync(FileInfo file, DatabaseUrl database, CancellationToken cancellationToken)
    {
        if (database.Provider == DatabaseProvider.Postgres)
        {
            // pg_restore --clean leaves tables the backup does not know (from a newer release);
            // the schema is emptied first instead, in the same transaction as the restore.
            var script = Path.Combine(Path.GetTempPath(), $"stuff-restore-{Guid.NewGuid():N}.sql");
            try
            {
                await using (File.Create(script)) { }
                File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                var sql = await PgAsync("pg_restore", null, ["--no-owner", "--no-privileges", "--file", script, file.FullName], cancellationToken);
                if (sql.ExitCode != 0) throw new UserFacingException("pg_restore failed: " + sql.Tail);
                var load = await PgAsync("psql", database,
                    ["--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1",
                     "--command", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", "--file", script], cancellationToken);
                if (load.ExitCode != 0) throw new UserFacingException("The restore failed and was rolled back, so the database is as it was: " + load.Tail);
            }
            finally
            {
                File.Delete(script);
            }
            NpgsqlConnection.ClearAllPools();
            return;
        }

        await using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file.FullName, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        await source.OpenAsync(cancellationToken);
        await using var target = new SqliteConnection(database.ConnectionString);
        await target.OpenAsync(cancellationToken);
        source.BackupDatabase(target);
        SqliteConnection.ClearAllPools();
    }

    /// <summary>Runs a PostgreSQL client tool; the password travels in its environment, never on its command line.</summary>
    private static async Task<(int ExitCode, string Output, string Tail)> PgAsync(string tool, DatabaseUrl? database, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var arguments = new List<string>();
        var environment = new Dictionary<string, string>();
        if (database is not null)
        {
            var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            arguments.AddRange(["--host", builder.Host!, "--port", builder.Port.ToString(CultureInfo.InvariantCulture), "--username", builder.Username ?? "", "--dbname", builder.Database!]);
            if (builder.Password is { Length: > 0 } password) environment["PGPASSWORD"] = password;
            environment["PGSSLMODE"] = builder.SslMode switch
            {
                SslMode.Disable => "disable",
                SslMode.Require => "require",
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                _ => "prefer",
            };
            environment["PGCONNECT_TIMEOUT"] = "10";
        }
        arguments.AddRange(args);
        var result = await new ProcessShell().TryRunAsync(tool, arguments, cancellationToken, environment)
            ?? throw new UserFacingException($"{tool} is not installed; it comes with the PostgreSQL client (Debian: apt-get install postgresql-client; Fedora: dnf install postgresql).");
        var tail = string.Join(" ", result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
        return (result.ExitCode, result.Output, tail);
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0 'GiB'", CultureInfo.InvariantCulture),
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0 'MiB'", CultureInfo.InvariantCulture),
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.0 'KiB'", CultureInfo.InvariantCulture),
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " bytes",
    };

    /// <summary>When the newest backup in the directory was taken; null when there is none.</summary>
    public static DateTime? NewestTakenAt(string directory) => List(directory).Select(TakenAt).Max();

    /// <summary>How old the newest backup is; MaxValue when there is none.</summary>
    public static TimeSpan NewestAge(string directory) => NewestTakenAt(directory) is { } at ? DateTime.UtcNow - at : TimeSpan.MaxValue;

    /// <summary>When the backup was taken, from its name.</summary>
    public static DateTime? TakenAt(FileInfo file) =>
        file.Name.Length > Prefix.Length + TimeFormatLength && DateTime.TryParseExact(file.Name.Substring(Prefix.Length, TimeFormatLength), TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    /// <summary>UTC to the millisecond, so names sort by time and two backups in one second do not collide.</summary>
    public const string TimeFormat = "yyyyMMdd'T'HHmmss'.'fff'Z'";
    private const int TimeFormatLength = 20;

    internal static string Describe(FileInfo file) => $"{file.FullName} ({Size(file.Length)})";
}
