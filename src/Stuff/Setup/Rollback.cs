namespace Stuff.Setup;

/// <summary>What `stuff migrate --list` says: the migrations a release knows, and those applied to the database.</summary>
public sealed record MigrationList(IReadOnlyList<string> Known, IReadOnlyList<string> Applied)
{
    public static MigrationList Parse(string output)
    {
        var known = new List<string>();
        var applied = new List<string>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length < 5 || line[0] != '[' || line[2] != ']') continue;
            var name = line[4..].Split(' ', 2)[0];
            if (line[1] is 'X' or ' ') known.Add(name);
            if (line[1] is 'X' or '?') applied.Add(name);
        }
        return new MigrationList(known, applied);
    }
}

/// <summary>How a rollback treats the schema: the migrations the older release does not know are reverted first.</summary>
public static class Rollback
{
    /// <summary>
    /// The migrations applied now that the older release does not know (newest first), and the
    /// last migration it does know, to revert to; no migrations to revert when it knows them all.
    /// </summary>
    public static (string? Target, IReadOnlyList<string> Revert) Plan(IReadOnlyList<string> applied, IReadOnlyList<string> knownToOlder)
    {
        var known = knownToOlder.ToHashSet(StringComparer.Ordinal);
        var revert = applied.Where(m => !known.Contains(m)).OrderDescending(StringComparer.Ordinal).ToList();
        if (revert.Count == 0) return (null, []);
        var target = applied.Where(known.Contains).Order(StringComparer.Ordinal).LastOrDefault() ?? "0";
        return (target, revert);
    }

    /// <summary>The newest backup taken before a release went live (setup takes one just before): the state the older release last wrote.</summary>
    public static FileInfo? BackupBefore(IEnumerable<FileInfo> backups, DateTime liveSince) =>
        backups.Where(b => Backups.Backup.TakenAt(b) is { } at && at <= liveSince).MaxBy(b => Backups.Backup.TakenAt(b));
}
