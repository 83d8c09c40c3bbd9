using System.CommandLine;
using System.Diagnostics;
using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Cli;

/// <summary>
/// On a server setup made, root's `stuff migrate`, `stuff backup`, `stuff createsuperuser` ...
/// run again as the service user (runuser, which a minimal server has; sudo it may not), so
/// that what they write (backups, keys, the embedded database) belongs to the service as the
/// service's own writes do, and nothing root-owned is left in its directories.
/// </summary>
public static class AsServiceUser
{
    /// <summary>The commands that work on the database or the service's files.</summary>
    private static readonly HashSet<string> Commands = ["migrate", "backup", "createsuperuser", "createuser", "changepassword"];

    /// <summary>
    /// True for a root process of the installed executable on the installed settings (no other
    /// STUFF_ENV_FILE), running one of <see cref="Commands"/>, where the service user exists.
    /// </summary>
    public static bool Applies(ParseResult parse, CliEnvironment environment)
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess || environment != CliEnvironment.Process) return false;
        if (!Commands.Contains(parse.CommandResult.Command.Name)) return false;
        if (EnvFile.InstalledDefault(AppContext.BaseDirectory) is null || !File.Exists(EnvFile.InstalledPath)) return false;
        var named = Environment.GetEnvironmentVariable(EnvFile.PathVariable);
        if (!string.IsNullOrWhiteSpace(named) && Path.GetFullPath(named) != EnvFile.InstalledPath) return false;
        return Layout.RootWithServiceUser();
    }

    /// <summary>Runs this executable with the same arguments as the service user, on the terminal as it is, and returns its exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var info = new ProcessStartInfo("runuser") { UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var arg in (string[])["-u", Layout.ServiceUser, "--", Environment.ProcessPath!, .. args]) info.ArgumentList.Add(arg);
        info.Environment[EnvFile.PathVariable] = EnvFile.InstalledPath;
        using var process = Process.Start(info) ?? throw new UserFacingException($"Could not start runuser to run the command as {Layout.ServiceUser}.");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
