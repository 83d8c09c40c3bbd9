using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Stuff.Configuration;
using Stuff.Data;

namespace Stuff.Backups;

/// <summary>What the last restore drill found, kept in the data directory for the doctor.</summary>
public sealed record DrillResult(DateTime At, string Source, bool Passed, string Summary, double Seconds)
{
    public const string FileName = "restore-drill.json";

    /// <summary>The doctor warns when the last drill is older than this (it runs weekly).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(8);

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    public static DrillResult? Read(string dataDirectory)
    {
        try
        {
            var path = PathIn(dataDirectory);
            return File.Exists(path) ? JsonSerializer.Deserialize<DrillResult>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Write(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = PathIn(dataDirectory);
        File.WriteAllText(path + ".partial", JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(path + ".partial", path, overwrite: true);
    }
}

/// <summary>
/// A restore drill: the newest off-site snapshot (or, without a repository, the newest local
/// backup) is read back, loaded into a scratch database (DATABASE_drill, or a SQLite file), its
/// rows counted against the counts taken with it, this release's migrations applied to it, and
/// the scratch database emptied again. The live database is never touched.
/// </summary>
public static class Drill
{
    public static async Task<DrillResult> RunAsync(StuffOptions options, Restic? restic, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var database = options.Database;
        var work = Path.Combine(options.ResolvedBackupDirectory, $".drill-{Guid.NewGuid():N}");
        string source = restic is null ? "the newest local backup" : $"the newest snapshot in {restic.Repository.Display}";
        try
        {
            Directory.CreateDirectory(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            FileInfo backup;
            if (restic is not null)
            {
                var snapshot = await restic.FindAsync("latest", cancellationToken);
                source = $"snapshot {snapshot.ShortId} ({snapshot.Time:yyyy-MM-dd HH:mm} UTC) in {restic.Repository.Display}";
                backup = await restic.RestoreBackupAsync(snapshot, work, database, cancellationToken);
            }
            else
            {
                backup = Backup.List(options.ResolvedBackupDirectory).FirstOrDefault(f => f.Name.EndsWith(Backup.Extension(database), StringComparison.Ordinal))
                    ?? throw new UserFacingException($"there is no backup in {options.ResolvedBackupDirectory}");
                source = $"{backup.Name} in {options.ResolvedBackupDirectory}";
            }

            await Backup.VerifyAsync(backup, database, cancellationToken);
            var expected = RowCounts.Read(RowCounts.PathFor(backup.FullName))
                ?? throw new UserFacingException($"{backup.Name} has no row counts beside it ({backup.Name}{RowCounts.Suffix}); a backup of this release has");

            var scratch = database.Scratch(Path.Combine(work, "scratch.db"));
            if (scratch.Provider == DatabaseProvider.Postgres)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(scratch.ConnectionString);
                    await connection.OpenAsync(cancellationToken);
                }
                catch (NpgsqlException e)
                {
                    throw new UserFacingException($"the scratch database {scratch} cannot be opened ({e.Message}); stuff setup makes it, owned by the app's role");
                }
            }
            try
            {
                await Backup.RestoreAsync(backup, scratch, cancellationToken);
                var actual = database.Provider == DatabaseProvider.Postgres
                    ? await RowCounts.CountAsync(scratch.ConnectionString, cancellationToken)
                    : await RowCounts.CountSqliteAsync(scratch.SqlitePath!, cancellationToken);
                if (RowCounts.Difference(expected, actual) is { } difference)
                    throw new UserFacingException($"the restored backup is not whole: {difference}");

                await using (var db = scratch.CreateContext())
                {
                    try
                    {
                        await db.Database.MigrateAsync(cancellationToken);
                    }
                    catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
                    {
                        throw new UserFacingException($"this release's migrations do not apply to the restored backup: {e.Message}");
                    }
                }
                var rows = expected.Values.Sum();
                var result = new DrillResult(DateTime.UtcNow, source, true,
                    $"restored {source}: {expected.Count} tables, {rows} rows, as at backup time; migrations apply", clock.Elapsed.TotalSeconds);
                return result;
            }
            finally
            {
                if (await EmptyAsync(scratch) is { } left) throw new UserFacingException(left);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever stopped it, the drill failed, and the doctor must hear of it.
            var why = e is UserFacingException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            return new DrillResult(DateTime.UtcNow, source, false, why.TrimEnd('.'), clock.Elapsed.TotalSeconds);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a leftover .drill- directory is the service user's, mode 0700.
            }
        }
    }

    /// <summary>Leaves the scratch database empty, so nothing of the backup stays outside the backups; what went wrong, or null.</summary>
    private static async Task<string?> EmptyAsync(DatabaseUrl scratch)
    {
        if (scratch.Provider != DatabaseProvider.Postgres) return null;
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(scratch.ConnectionString);
            await connection.OpenAsync();
            await using var empty = new NpgsqlCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public;", connection);
            await empty.ExecuteNonQueryAsync();
            return null;
        }
        catch (NpgsqlException e)
        {
            return $"the scratch database {scratch} could not be emptied and may still hold the backup's data ({e.Message}); empty it: DROP SCHEMA public CASCADE; CREATE SCHEMA public;";
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
        }
    }
}
