using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Setup;

/// <summary>Directories with owner, group and mode.</summary>
public sealed class DirectoriesStep : Step
{
    public override string Name => "Directories";

    /// <summary>The directories; /run/stuff only where the supervisor keeps its pid files there (under systemd nothing does, and a reboot empties /run).</summary>
    public static IEnumerable<(string Path, string Owner, string Group, UnixFileMode Mode)> Wanted(Layout layout, bool supervised)
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
        if (supervised) yield return (layout.RunDirectory, Layout.ServiceUser, Layout.ServiceUser, rwxr_xr_x);
    }

    public override IEnumerable<string> Describe(SetupContext context) =>
        Wanted(context.Layout, !context.Facts.HasSystemd).Select(d => $"directory {d.Path} ({d.Owner}:{d.Group} {FileModes.Octal(d.Mode)})");

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken) =>
        Task.FromResult(Wanted(context.Layout, !context.Facts.HasSystemd)
            .Select(d => Directory.Exists(d.Path) ? Ownership.Difference(d.Path, d.Owner, d.Group, d.Mode) : $"{d.Path} is missing")
            .FirstOrDefault(d => d is not null));

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        foreach (var (path, owner, group, mode) in Wanted(context.Layout, !context.Facts.HasSystemd))
        {
            Directory.CreateDirectory(path);
            File.SetUnixFileMode(path, mode);
            await context.Shell.MustAsync("chown", [$"{owner}:{group}", path], cancellationToken);
        }
    }
}
