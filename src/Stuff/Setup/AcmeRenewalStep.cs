using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// With --tls acme, what makes a renewal reach visitors: the note directory Apache's user may
/// write, mod_md's message command, and the root-owned reload (a systemd path unit, or cron);
/// a copy of --acme-ca-root for Apache. Without it, whatever an earlier --tls acme left of these
/// is removed.
/// </summary>
public sealed class AcmeRenewalStep : Step
{
    private const UnixFileMode rwxrwx___ = (UnixFileMode)0b111_111_000;

    public override string Name => "Certificate renewal";

    private static FileSpec? CaRoot(SetupContext context) =>
        context.Settings.Acme?.CaRoot is { } root
            ? new FileSpec(AcmeSettings.CaRootCopy, "root", "root", (UnixFileMode)0b110_100_100, File.Exists(root) ? File.ReadAllText(root) : "")
            : null;

    private static IEnumerable<FileSpec> Files(SetupContext context) =>
        [.. Templates.AcmeReload(context), .. CaRoot(context) is { } root ? [root] : Array.Empty<FileSpec>()];

    /// <summary>Everything an acme setup writes here, on this kind of host, whether or not it is wanted now.</summary>
    private static IEnumerable<string> Leftovers(SetupContext context) =>
        new[]
        {
            AcmeSettings.MessageCommand, AcmeSettings.ReloadCronFile, AcmeSettings.CaRootCopy,
            $"/etc/systemd/system/{AcmeSettings.ReloadPathUnit}", $"/etc/systemd/system/{AcmeSettings.ReloadServiceUnit}",
        }.Where(File.Exists).Concat(Directory.Exists(AcmeSettings.NoteDirectory) ? [AcmeSettings.NoteDirectory] : []);

    public override IEnumerable<string> Describe(SetupContext context)
    {
        if (context.Settings.Acme is null)
            return ["remove what --tls acme installed here, if anything: " + string.Join(", ", Leftovers(context).DefaultIfEmpty("nothing now"))];
        return
        [
            $"directory {AcmeSettings.NoteDirectory} (root:{context.Layout.ApacheUser} 0770)",
            .. Files(context).SelectMany(f => f.Describe()),
            .. context.Facts.HasSystemd ? new[] { $"run systemctl daemon-reload; systemctl enable --now {AcmeSettings.ReloadPathUnit}" } : [],
        ];
    }

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Settings.Acme is null)
            return Leftovers(context).FirstOrDefault() is { } left ? $"{left} is left from --tls acme" : null;
        if (!Directory.Exists(AcmeSettings.NoteDirectory)) return $"{AcmeSettings.NoteDirectory} is missing";
        if (Ownership.Difference(AcmeSettings.NoteDirectory, "root", context.Layout.ApacheUser, rwxrwx___) is { } owned) return owned;
        if (Files(context).Select(f => f.Difference()).FirstOrDefault(d => d is not null) is { } difference) return difference;
        if (context.Facts.HasSystemd)
        {
            if (!(await context.Shell.RunAsync("systemctl", ["is-enabled", "--quiet", AcmeSettings.ReloadPathUnit], cancellationToken)).Ok)
                return $"{AcmeSettings.ReloadPathUnit} is not enabled";
            if (!(await context.Shell.RunAsync("systemctl", ["is-active", "--quiet", AcmeSettings.ReloadPathUnit], cancellationToken)).Ok)
                return $"{AcmeSettings.ReloadPathUnit} is not watching";
        }
        return null;
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Settings.Acme is null)
        {
            if (context.Facts.HasSystemd && File.Exists($"/etc/systemd/system/{AcmeSettings.ReloadPathUnit}"))
                await context.Shell.MustAsync("systemctl", ["disable", "--now", AcmeSettings.ReloadPathUnit], cancellationToken);
            foreach (var left in Leftovers(context))
            {
                if (Directory.Exists(left)) Directory.Delete(left, recursive: true);
                else File.Delete(left);
            }
            if (context.Facts.HasSystemd) await context.Shell.MustAsync("systemctl", ["daemon-reload"], cancellationToken);
            return;
        }

        Directory.CreateDirectory(AcmeSettings.NoteDirectory);
        File.SetUnixFileMode(AcmeSettings.NoteDirectory, rwxrwx___);
        await context.Shell.MustAsync("chown", [$"root:{context.Layout.ApacheUser}", AcmeSettings.NoteDirectory], cancellationToken);
        foreach (var file in Files(context).Where(f => f.Difference() is not null))
            await file.WriteAsync(context.Shell, cancellationToken);
        if (context.Facts.HasSystemd)
        {
            await context.Shell.MustAsync("systemctl", ["daemon-reload"], cancellationToken);
            await context.Shell.MustAsync("systemctl", ["enable", "--now", AcmeSettings.ReloadPathUnit], cancellationToken);
        }
    }
}
