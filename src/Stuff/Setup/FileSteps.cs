using System.Text;

namespace Stuff.Setup;

/// <summary>A file with exact content, owner, group and mode. Written beside the target and renamed into place.</summary>
public sealed record FileSpec(string Path, string Owner, string Group, UnixFileMode Mode, string Content, string? ShownContent = null)
{
    public string ModeText => Ownership.Octal(Mode);

    public IEnumerable<string> Describe()
    {
        yield return $"file {Path} ({Owner}:{Group} {ModeText}):";
        // A file with secrets is shown with placeholders instead of them.
        foreach (var line in (ShownContent ?? Content).TrimEnd('\n').Split('\n')) yield return "    | " + line;
    }

    /// <summary>Null when the file on disk is exactly this; otherwise what differs.</summary>
    public string? Difference()
    {
        if (!File.Exists(Path)) return $"{Path} is missing";
        if (File.ReadAllText(Path) != Content) return $"{Path} has other content";
        return Ownership.Difference(Path, Owner, Group, Mode);
    }

    public async Task WriteAsync(IShell shell, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".stuff-new";
        // Created with the final mode, so a secret is never readable by others even for a moment.
        await using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = Mode }))
            await stream.WriteAsync(Encoding.UTF8.GetBytes(Content), cancellationToken);
        File.SetUnixFileMode(temporary, Mode);
        await shell.MustAsync("chown", [$"{Owner}:{Group}", temporary], cancellationToken);
        File.Move(temporary, Path, overwrite: true);
    }
}

public static class Ownership
{
    /// <summary>Compares owner, group and mode with what `stat` reports; null when they match.</summary>
    public static string? Difference(string path, string owner, string group, UnixFileMode mode)
    {
        var actualMode = File.GetUnixFileMode(path);
        if (actualMode != mode) return $"{path} has mode {Octal(actualMode)}, not {Octal(mode)}";
        var (actualOwner, actualGroup) = OwnerOf(path);
        return actualOwner == owner && actualGroup == group ? null : $"{path} belongs to {actualOwner}:{actualGroup}, not {owner}:{group}";
    }

    /// <summary>A mode as chmod takes it: 0640.</summary>
    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');

    /// <summary>"owner:group" of a path, by name.</summary>
    public static string Describe(string path) => OwnerOf(path) is var (owner, group) ? $"{owner}:{group}" : "";

    public static (string Owner, string Group) OwnerOf(string path)
    {
        var info = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%U:%G", path]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(info)!;
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        var parts = text.Split(':');
        return parts.Length == 2 ? (parts[0], parts[1]) : ("?", "?");
    }
}

/// <summary>Files that must be exactly so; a change marks the app for a restart.</summary>
public sealed class FilesStep(string name, Func<SetupContext, IEnumerable<FileSpec>> files, bool restartsApp = false) : Step
{
    public override string Name => name;

    public override IEnumerable<string> Describe(SetupContext context) => files(context).SelectMany(f => f.Describe());

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken) =>
        Task.FromResult(files(context).Select(f => f.Difference()).FirstOrDefault(d => d is not null));

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        foreach (var file in files(context).Where(f => f.Difference() is not null))
            await file.WriteAsync(context.Shell, cancellationToken);
        if (restartsApp) context.AppRestartNeeded = true;
    }
}

/// <summary>Directories with owner, group and mode.</summary>
public sealed class DirectoriesStep : Step
{
    public override string Name => "Directories";

    public static IEnumerable<(string Path, string Owner, string Group, UnixFileMode Mode)> Wanted(Layout layout)
    {
        const UnixFileMode rwxr_xr_x = (UnixFileMode)0b111_101_101;
        const UnixFileMode rwxrwsr_x = (UnixFileMode)0b010_111_111_101;
        const UnixFileMode rwxr_x___ = (UnixFileMode)0b111_101_000;
        const UnixFileMode rwx______ = (UnixFileMode)0b111_000_000;
        // Deployers (group webadmin) may add releases and static files; the service user may
        // write only its state and its log.
        yield return (layout.AppRoot, "root", Layout.DeployGroup, rwxr_xr_x);
        yield return (layout.Releases.ReleasesDirectory, "root", Layout.DeployGroup, rwxrwsr_x);
        yield return (layout.Releases.SlotsDirectory, "root", Layout.DeployGroup, rwxr_xr_x);
        yield return (layout.StaticRoot, "root", Layout.DeployGroup, rwxrwsr_x);
        yield return (layout.ConfigDirectory, "root", Layout.ServiceUser, rwxr_x___);
        yield return (layout.DataDirectory, Layout.ServiceUser, Layout.ServiceUser, rwx______);
        yield return (layout.LogDirectory, Layout.ServiceUser, Layout.ServiceUser, rwxr_x___);
        yield return (layout.BackupDirectory, Layout.ServiceUser, Layout.ServiceUser, rwx______);
        yield return (layout.RunDirectory, Layout.ServiceUser, Layout.ServiceUser, rwxr_xr_x);
    }

    public override IEnumerable<string> Describe(SetupContext context) =>
        Wanted(context.Layout).Select(d => $"directory {d.Path} ({d.Owner}:{d.Group} {Ownership.Octal(d.Mode)})");

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken) =>
        Task.FromResult(Wanted(context.Layout)
            .Select(d => Directory.Exists(d.Path) ? Ownership.Difference(d.Path, d.Owner, d.Group, d.Mode) : $"{d.Path} is missing")
            .FirstOrDefault(d => d is not null));

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        foreach (var (path, owner, group, mode) in Wanted(context.Layout))
        {
            Directory.CreateDirectory(path);
            File.SetUnixFileMode(path, mode);
            await context.Shell.MustAsync("chown", [$"{owner}:{group}", path], cancellationToken);
        }
    }
}
