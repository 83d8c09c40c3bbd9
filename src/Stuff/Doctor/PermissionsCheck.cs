namespace Stuff.Doctor;

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
