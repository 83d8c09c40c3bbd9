using System.Globalization;
using Npgsql;
using Stuff.Configuration;
using Stuff.Setup;

namespace Stuff.Doctor;

/// <summary>Room on the disks the app, its logs and the database write to.</summary>
public sealed class DiskCheck : DoctorCheck
{
    private const string Id = "disk";
    private const string Name = "Disk space";

    public override Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        string[] paths = [context.DataDirectory, context.Layout.LogDirectory, context.Layout.StaticRoot, "/var/lib/postgresql", "/var/lib/pgsql", "/tmp"];
        var mountPoints = DiskFacts.MountPoints(File.Exists("/proc/self/mounts") ? File.ReadAllText("/proc/self/mounts") : "");
        var mounts = paths
            .Where(Directory.Exists)
            .Select(p => (Path: p, Mount: DiskFacts.MountOf(SelinuxStep.Canonical(p), mountPoints)))
            .GroupBy(x => x.Mount)
            .Select(g => (Paths: string.Join(", ", g.Select(x => x.Path)), Drive: new DriveInfo(g.Key)))
            .ToList();

        var worst = mounts
            .Select(m => (m.Paths, m.Drive, Verdict: DiskFacts.Judge(m.Drive.AvailableFreeSpace, m.Drive.TotalSize)))
            .OrderByDescending(m => m.Verdict)
            .FirstOrDefault();
        if (mounts.Count == 0) return Task.FromResult<IReadOnlyList<Finding>>([Finding.Skipped(Id, Name, "none of the app's directories exist")]);

        var summary = string.Join("; ", mounts.Select(m => $"{m.Drive.RootDirectory.FullName} {DiskFacts.Human(m.Drive.AvailableFreeSpace)} free of {DiskFacts.Human(m.Drive.TotalSize)}"));
        var finding = worst.Verdict switch
        {
            Verdict.Failed => Finding.Failed(Id, Name, summary,
                $"{worst.Drive.RootDirectory.FullName} (holding {worst.Paths}) is nearly full: PostgreSQL stops accepting writes and logs stop",
                $"free space there: sudo journalctl --vacuum-size=200M; sudo apt-get clean (or dnf clean all); find large files: sudo du -xh {worst.Drive.RootDirectory.FullName} | sort -h | tail"),
            Verdict.Warning => Finding.Warning(Id, Name, summary,
                $"{worst.Drive.RootDirectory.FullName} (holding {worst.Paths}) is filling up",
                $"find large files: sudo du -xh {worst.Drive.RootDirectory.FullName} | sort -h | tail"),
            _ => Finding.Ok(Id, Name, summary),
        };
        return Task.FromResult<IReadOnlyList<Finding>>([finding]);
    }
}

public static class DiskFacts
{
    private const long Megabyte = 1024 * 1024;

    /// <summary>Failed under 200 MB or 2 % free; a warning under 1 GB or 10 %.</summary>
    public static Verdict Judge(long free, long total)
    {
        var share = total > 0 ? (double)free / total : 1;
        if (free < 200 * Megabyte || share < 0.02) return Verdict.Failed;
        if (free < 1024 * Megabyte || share < 0.10) return Verdict.Warning;
        return Verdict.Ok;
    }

    /// <summary>The mount points listed in /proc/self/mounts.</summary>
    public static IReadOnlyList<string> MountPoints(string procMounts) =>
        [.. procMounts.Split('\n').Select(l => l.Split(' ')).Where(f => f.Length > 2).Select(f => f[1].Replace("\\040", " ", StringComparison.Ordinal))];

    /// <summary>The mount a path lives on: the longest mount point that contains it.</summary>
    public static string MountOf(string path, IReadOnlyList<string> mountPoints) =>
        mountPoints.Where(m => m == "/" || path == m || path.StartsWith(m.TrimEnd('/') + "/", StringComparison.Ordinal))
            .OrderByDescending(m => m.Length)
            .FirstOrDefault() ?? "/";

    public static string Human(long bytes) => bytes >= 1024L * Megabyte
        ? (bytes / (1024.0 * Megabyte)).ToString("0.0 'GiB'", CultureInfo.InvariantCulture)
        : (bytes / (double)Megabyte).ToString("0 'MiB'", CultureInfo.InvariantCulture);
}

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
        if (context.Facts.HasSystemd)
        {
            var show = await context.Shell.TryRunAsync("timedatectl", ["show", "-p", "NTPSynchronized", "--value"], cancellationToken);
            if (show is { Ok: true }) synchronised = show.Output.Trim() == "yes";
        }
        var fix = context.Facts.HasSystemd ? "sudo timedatectl set-ntp true   (and check: timedatectl status)" : "set the time from a time server (chrony or systemd-timesyncd), or the host's clock in the hypervisor";
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
