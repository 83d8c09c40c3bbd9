using System.Globalization;
using Stuff.Configuration;
using Stuff.Server;

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
            .Select(p => (Path: p, Mount: DiskFacts.MountOf(RealPath.Of(p), mountPoints)))
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
