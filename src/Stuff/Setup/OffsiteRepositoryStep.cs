using Stuff.Backups;
using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// The off-site restic repository (--backup-repository): opened with its password as the service
/// user, made when there is none there yet, refused with restic's reason otherwise. It runs before
/// the settings are written, so a repository that cannot be used changes nothing of the site.
/// For sftp: the service user gets an SSH key and a client configuration that never asks.
/// </summary>
public sealed class OffsiteRepositoryStep : Step
{
    public override string Name => "Off-site backups";

    public override IEnumerable<string> Describe(SetupContext context)
    {
        if (context.Settings.Offsite is not { } offsite)
            return ["(no off-site repository: --backup-repository URL sends every backup to one)"];
        return
        [
            .. offsite.LocalPath is { } path ? new[] { $"make {path} ({Layout.ServiceUser}, 0700) when missing" } : [],
            .. offsite.IsSftp ? [$"as {Layout.ServiceUser}: ssh-keygen -t ed25519 -N '' -f {SshKey(context)}   (when missing)", .. Ssh(context).Describe()] : Array.Empty<string>(),
            $"as {Layout.ServiceUser}: restic cat config   (RESTIC_REPOSITORY={offsite.Display}, the password in the environment)",
            $"as {Layout.ServiceUser}: restic init   (when there is no repository there yet)",
            $"retention after every backup: restic forget --prune, keeping {OffsiteRepository.KeepPolicyText}",
        ];
    }

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (context.Settings.Offsite is not { } offsite) return null;
        if (offsite.LocalPath is { } path && !Directory.Exists(path)) return $"{path} is missing";
        if (offsite.IsSftp && (!File.Exists(SshKey(context)) || Ssh(context).Difference() is not null)) return "the service user has no SSH key or client settings yet";
        try
        {
            return await Restic(context).ExistsAsync(cancellationToken) ? null : $"there is no repository at {offsite.Display} yet";
        }
        catch (UserFacingException e) when (!context.Settings.OffsiteGiven && e.Message.Contains("cannot be reached", StringComparison.Ordinal))
        {
            // The installed repository, out of reach today: the rest of setup (a new release) goes on,
            // backups stay local until it is back, and the doctor says so meanwhile.
            if (!context.Notes.Any(n => n.StartsWith("the off-site repository", StringComparison.Ordinal)))
                context.Notes.Add($"the off-site repository cannot be used now; backups stay local until it can. {e.Message}");
            return null;
        }
        catch (UserFacingException e)
        {
            return e.Message;
        }
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var offsite = context.Settings.Offsite!;
        if (offsite.LocalPath is { } path && !Directory.Exists(path))
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            await context.Shell.MustAsync("chown", [$"{Layout.ServiceUser}:{Layout.ServiceUser}", path], cancellationToken);
        }
        if (offsite.IsSftp)
        {
            var ssh = Ssh(context);
            Directory.CreateDirectory(Path.GetDirectoryName(ssh.Path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            await context.Shell.MustAsync("chown", [$"{Layout.ServiceUser}:{Layout.ServiceUser}", Path.GetDirectoryName(ssh.Path)!], cancellationToken);
            if (ssh.Difference() is not null) await ssh.WriteAsync(context.Shell, cancellationToken);
            if (!File.Exists(SshKey(context)))
                await context.Shell.MustAsync("runuser", ["-u", Layout.ServiceUser, "--", "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", $"{Layout.ServiceUser}@{context.Settings.Domain}", "-f", SshKey(context)], cancellationToken);
        }

        var restic = Restic(context);
        try
        {
            if (await restic.ExistsAsync(cancellationToken)) return;
            await restic.InitAsync(cancellationToken);
        }
        catch (UserFacingException e)
        {
            var key = offsite.IsSftp && File.Exists(SshKey(context) + ".pub") ? $" The service user's public key: {File.ReadAllText(SshKey(context) + ".pub").Trim()}" : "";
            var password = e.Message.Contains("password is wrong", StringComparison.Ordinal)
                ? $" Give setup the repository's own password: --backup-password-file FILE (its first line), or {OffsiteRepository.PasswordKey} in setup's environment."
                : "";
            throw new ServerException(e.Message + password + key + " The site's settings were not changed.");
        }
    }

    private static Restic Restic(SetupContext context) => new(context.Settings.Offsite!, context.Shell);

    private static string SshKey(SetupContext context) => Path.Combine(context.Layout.DataDirectory, ".ssh", "id_ed25519");

    private static FileSpec Ssh(SetupContext context) => new(Path.Combine(context.Layout.DataDirectory, ".ssh", "config"), Layout.ServiceUser, Layout.ServiceUser,
        UnixFileMode.UserRead | UnixFileMode.UserWrite, ServerFiles.Render("ssh-config", new Dictionary<string, object>()));
}
