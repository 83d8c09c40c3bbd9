using Stuff.Setup;

namespace Stuff.Doctor;

/// <summary>
/// The data-protection key ring: it signs login cookies and form tokens. Lost or unwritable
/// keys log everyone out and break open forms at the next restart.
/// </summary>
public sealed class KeysCheck : DoctorCheck
{
    private const string Id = "keys";
    private const string Name = "Data-protection keys";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        if (context.Options.KeysInDatabase)
            return [Finding.Ok(Id, Name, "in the database's data_protection_keys table (STUFF_KEYS=database), shared by every app host")];
        var directory = context.KeyDirectory;
        var user = Layout.ServiceUser;
        var consequence = "login cookies and form tokens are signed with these keys: without them every restart logs everyone out and open forms fail";
        if (!Directory.Exists(directory))
        {
            return [Finding.Failed(Id, Name, $"{directory} does not exist", consequence,
                $"sudo install -d -o {user} -g {user} -m 0700 {directory}\nthen restart the app: {context.RestartApp}")];
        }
        if (!await context.ServiceUserCanAsync("-w", directory, cancellationToken))
        {
            return [Finding.Failed(Id, Name, $"{user} cannot write {directory} ({Ownership.Octal(File.GetUnixFileMode(directory))} {Ownership.Describe(directory)})",
                consequence + "; new keys cannot be saved",
                $"sudo chown -R {user}:{user} {directory} && sudo chmod 0700 {directory}")];
        }
        var mode = File.GetUnixFileMode(directory);
        if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute)) != 0)
        {
            return [Finding.Failed(Id, Name, $"{directory} is readable by other users (mode {Ownership.Octal(mode)})",
                "whoever reads the keys can forge login cookies", $"sudo chmod 0700 {directory}")];
        }
        var keys = Directory.GetFiles(directory, "key-*.xml").Length;
        return keys == 0
            ? [Finding.Warning(Id, Name, $"{directory} holds no key yet", "the app writes its first key when it starts", $"start the app: {context.StartApp}")]
            : [Finding.Ok(Id, Name, $"{directory} ({keys} key(s), mode {Ownership.Octal(mode)})")];
    }
}

/// <summary>The static files Apache serves from disk are those of the installed release.</summary>
public sealed class StaticFilesCheck : DoctorCheck
{
    private const string Id = "static-files";
    private const string Name = "Static files";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var layout = context.Layout;
        var fix = $"sudo {layout.Executable} collectstatic --output {layout.StaticRoot} && sudo chown -R root:{Layout.DeployGroup} {layout.StaticRoot}";
        if (!File.Exists(layout.Executable))
            return [Finding.Skipped(Id, Name, $"no release installed at {layout.Executable}")];
        if (!Directory.Exists(Path.Combine(layout.StaticRoot, "static")))
        {
            return [Finding.Failed(Id, Name, $"{layout.StaticRoot}/static does not exist",
                "collectstatic never ran: Apache answers 404 for the stylesheet and pages show unstyled", fix)];
        }
        // The installed executable compares its own files with the directory, as setup does.
        var result = await context.Shell.RunAsync(layout.Executable, ["collectstatic", "--check", "--output", layout.StaticRoot], cancellationToken);
        if (result.Ok) return [Finding.Ok(Id, Name, result.Output.Trim())];
        return [Finding.Failed(Id, Name, result.Output.Trim().Length > 0 ? result.Output.Trim() : result.Tail(2),
            "the files Apache serves are not those of the installed release (missing, or left from an older one): pages link to names that are not there", fix)];
    }
}

/// <summary>Nothing the app runs or Apache serves may be changed by other users.</summary>
public sealed class PermissionsCheck : DoctorCheck
{
    private const string Id = "permissions";
    private const string Name = "Permissions";
    private const int Shown = 5;

    public override Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var layout = context.Layout;
        string[] roots = [layout.AppRoot, layout.StaticRoot, layout.ConfigDirectory, context.DataDirectory];
        var open = roots.Where(Directory.Exists).SelectMany(WritableByOthers).ToList();
        if (open.Count == 0)
            return Task.FromResult<IReadOnlyList<Finding>>([Finding.Ok(Id, Name, $"nothing under {string.Join(", ", roots.Where(Directory.Exists))} is writable by other users")]);

        var affected = roots.Where(r => open.Any(p => p == r || p.StartsWith(r + "/", StringComparison.Ordinal))).ToList();
        var listed = string.Join(", ", open.Take(Shown)) + (open.Count > Shown ? $" and {open.Count - Shown} more" : "");
        return Task.FromResult<IReadOnlyList<Finding>>([Finding.Failed(Id, Name, $"{open.Count} path(s) writable by every user: {listed}",
            "any local user or compromised process could replace the program, its settings or the pages it serves",
            string.Join("\n", affected.Select(r => $"sudo chmod -R o-w {r}")) + "\n(never chmod 777: the service user and the webadmin group already have what they need)")]);
    }

    private static IEnumerable<string> WritableByOthers(string root)
    {
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var path = pending.Pop();
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            if (info.LinkTarget is not null) continue;
            if ((info.UnixFileMode & UnixFileMode.OtherWrite) != 0) yield return path;
            if (info is DirectoryInfo directory)
            {
                string[] children;
                try { children = Directory.GetFileSystemEntries(directory.FullName); }
                catch (UnauthorizedAccessException) { continue; }
                foreach (var child in children) pending.Push(child);
            }
        }
    }
}

/// <summary>A recent backup exists (setup schedules one a day); its absence is a warning, not a failure.</summary>
public sealed class BackupsCheck : DoctorCheck
{
    private const string Id = "backups";
    private const string Name = "Backups";

    public override Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var directory = context.Options.ResolvedBackupDirectory;
        var newest = Backups.Backup.List(directory).FirstOrDefault();
        var backupNow = context.AsServiceUser("backup");
        if (newest is null)
        {
            return Task.FromResult<IReadOnlyList<Finding>>([Finding.Warning(Id, Name, $"no backup in {directory}",
                "if the database is lost, everything in it is lost", $"{backupNow}\n(setup schedules one a day: run it again to add the schedule)")]);
        }
        var age = DateTime.UtcNow - (Backups.Backup.TakenAt(newest) ?? newest.LastWriteTimeUtc);
        var described = $"{newest.Name} ({Backups.Backup.Size(newest.Length)}), {(age.TotalHours < 48 ? $"{age.TotalHours:0} hour(s)" : $"{age.TotalDays:0} days")} old";
        if (age <= BackupScheduleStep.MaxAge) return Task.FromResult<IReadOnlyList<Finding>>([Finding.Ok(Id, Name, described)]);
        var schedule = context.Facts.HasSystemd
            ? $"the daily timer did not run or failed: systemctl status {BackupScheduleStep.TimerUnit}; journalctl -u stuff-backup -n 20"
            : $"cron did not run it or it failed: is cron running (pgrep cron; apt-get install cron)? see {context.Layout.LogDirectory}/backup.log";
        return Task.FromResult<IReadOnlyList<Finding>>([Finding.Warning(Id, Name, $"the newest backup is {described}", schedule, backupNow)]);
    }
}
