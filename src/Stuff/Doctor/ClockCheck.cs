using System.Globalization;
using Npgsql;
using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>
/// The clock: certificates, cookies and lockouts depend on it. It must not be earlier than this
/// release's newest migration was written, must agree with the database server's, and should be
/// synchronised where systemd can tell.
/// </summary>
public sealed class ClockCheck : DoctorCheck
{
    private const string Id = "clock";
    private const string Name = "Clock";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        var database = await DatabaseNowAsync(context, cancellationToken);
        bool? synchronised = null;
        var canSync = false;
        if (context.Facts.HasSystemd)
        {
            var show = await context.Shell.TryRunAsync("timedatectl", ["show", "-p", "NTPSynchronized", "-p", "CanNTP"], cancellationToken);
            if (show is { Ok: true })
            {
                // timedatectl show prints KEY=VALUE lines, as systemctl show does.
                var values = ServiceFacts.ParseShow(show.Output);
                synchronised = values.GetValueOrDefault("NTPSynchronized") == "yes";
                canSync = values.GetValueOrDefault("CanNTP") == "yes";
            }
        }
        var fix = ClockFacts.Fix(context.Facts.HasSystemd, canSync, context.Facts.Family);
        var verdict = ClockFacts.Judge(now, ClockFacts.NewestMigration(), database, synchronised);
        return verdict switch
        {
            null => [Finding.Ok(Id, Name, $"{now:yyyy-MM-dd HH:mm:ss} UTC{(database is null ? "" : ", agrees with the database server")}{(synchronised == true ? ", synchronised" : "")}")],
            { Fail: true } v => [Finding.Failed(Id, Name, v.Summary, v.Cause, fix)],
            var v => [Finding.Warning(Id, Name, v.Value.Summary, v.Value.Cause, fix)],
        };
    }

    private static async Task<DateTime?> DatabaseNowAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        if (!context.DatabaseConnected || context.Options.Database.Provider != DatabaseProvider.Postgres) return null;
        var builder = new NpgsqlConnectionStringBuilder(context.Options.Database.ConnectionString) { Timeout = 5, Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT now()", connection);
        return command.ExecuteScalar() is DateTime at ? at.ToUniversalTime() : null;
    }
}

public static class ClockFacts
{
    /// <summary>The newest migration's id starts with the time it was written: the clock cannot be earlier.</summary>
    public static DateTime NewestMigration() =>
        typeof(ClockFacts).Assembly.GetTypes()
            .Select(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).FirstOrDefault())
            .OfType<Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute>()
            .Select(m => DateTime.TryParseExact(m.Id[..Math.Min(14, m.Id.Length)], "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) ? at : DateTime.MinValue)
            .DefaultIfEmpty(DateTime.MinValue)
            .Max();

    /// <summary>
    /// How to synchronise this host: turn NTP on where a time-sync service is installed
    /// (timedatectl's CanNTP), else install one first; `timedatectl set-ntp true` alone fails
    /// with "NTP not supported" there.
    /// </summary>
    public static string Fix(bool systemd, bool canSync, Family family) => (systemd, canSync, family) switch
    {
        (true, true, _) => "timedatectl set-ntp true   (and check: timedatectl status)",
        (true, false, Family.Debian) => "no time-sync service is installed: apt-get install systemd-timesyncd, then: timedatectl set-ntp true",
        (true, false, _) => "no time-sync service is installed: dnf install chrony && systemctl enable --now chronyd",
        _ => "set the time from a time server (chrony or systemd-timesyncd), or the host's clock in the hypervisor",
    };

    public static (bool Fail, string Summary, string Cause)? Judge(DateTime now, DateTime newestMigration, DateTime? databaseNow, bool? synchronised)
    {
        if (now < newestMigration.AddDays(-1))
            return (true, $"this server says it is {now:yyyy-MM-dd}, before this release was made ({newestMigration:yyyy-MM-dd})",
                "certificates look not yet valid, and login cookies and lockouts expire at the wrong time");
        if (databaseNow is { } db && Math.Abs((db - now).TotalSeconds) > 60)
            return (true, $"this server and the database server differ by {Math.Abs((db - now).TotalSeconds):0} s",
                "record times and lockouts disagree between machines");
        if (synchronised == false)
            return (false, "not synchronised with a time server", "the clock drifts; certificates and cookies depend on it");
        return null;
    }
}
