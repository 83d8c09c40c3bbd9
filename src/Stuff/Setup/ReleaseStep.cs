using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// Installs the release this setup runs from as a new directory under /opt/stuff/releases,
/// beside the ones before it, and makes it the one the later steps migrate with and start.
/// A release already there (the same files, byte for byte) is used as it is, so running setup
/// from the installed executable changes nothing.
/// </summary>
public sealed class ReleaseStep : Step
{
    public override string Name => "Install the release";

    /// <summary>The release's files, smallest first, so that a differing release is found without reading the executable.</summary>
    private static List<(string Relative, long Length)> Files(string source) =>
        Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
            .Select(f => (Relative: Path.GetRelativePath(source, f), new FileInfo(f).Length))
            .Where(f => !f.Relative.EndsWith(".pdb", StringComparison.Ordinal) && !f.Relative.StartsWith("appsettings.Development", StringComparison.Ordinal)
                && !f.Relative.EndsWith(".stuff-new", StringComparison.Ordinal))
            .OrderBy(f => f.Length).ThenBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();

    public override IEnumerable<string> Describe(SetupContext context) =>
    [
        $"copy {context.Settings.SourceDirectory}/* to {context.Releases.NewReleasePath(Hosting.AppInfo.Version, DateTime.UtcNow)}/bin/ (root:root, executable 0755, other files 0644)   (unless an installed release has the same files)",
        $"keep the live release ({ReleaseStore.NameOf(context.Releases.LiveRelease)}) serving until the new one is ready",
    ];

    public override Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var files = Files(context.Settings.SourceDirectory);
        var store = context.Releases;
        var candidates = new[] { context.Release, store.LiveRelease }.OfType<string>().Concat(store.List().Reverse()).Distinct();
        if (candidates.FirstOrDefault(r => Same(context.Settings.SourceDirectory, ReleaseStore.BinOf(r), files)) is { } installed)
        {
            context.Release = installed;
            return Task.FromResult<string?>(null);
        }
        return Task.FromResult<string?>($"{context.Settings.SourceDirectory} is not an installed release yet");
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var store = context.Releases;
        var release = store.NewReleasePath(Hosting.AppInfo.Version, DateTime.UtcNow);
        var staging = Path.Combine(store.ReleasesDirectory, $".staging-{Environment.ProcessId}");
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        const UnixFileMode rwxr_xr_x = (UnixFileMode)0b111_101_101;
        const UnixFileMode rw_r__r__ = (UnixFileMode)0b110_100_100;
        foreach (var (relative, _) in Files(context.Settings.SourceDirectory))
        {
            var target = Path.Combine(ReleaseStore.BinOf(staging), relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(context.Settings.SourceDirectory, relative), target);
            File.SetUnixFileMode(target, relative == "stuff" ? rwxr_xr_x : rw_r__r__);
        }
        foreach (var directory in Directory.EnumerateDirectories(staging, "*", SearchOption.AllDirectories).Prepend(staging))
            File.SetUnixFileMode(directory, rwxr_xr_x);
        await context.Shell.MustAsync("chown", ["-R", "root:root", staging], cancellationToken);
        // A release appears whole or not at all.
        Directory.Move(staging, release);
        context.Release = release;
    }

    private static bool Same(string source, string installed, List<(string Relative, long Length)> files) =>
        Directory.Exists(installed) && files.All(f => SameContent(Path.Combine(source, f.Relative), Path.Combine(installed, f.Relative)));

    private static bool SameContent(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        if (!fb.Exists || fa.Length != fb.Length) return false;
        if (string.Equals(fa.FullName, fb.FullName, StringComparison.Ordinal)) return true;
        using var sa = fa.OpenRead();
        using var sb = fb.OpenRead();
        return Hosting.FileComparison.SameContentAsync(sa, sb).GetAwaiter().GetResult();
    }
}
