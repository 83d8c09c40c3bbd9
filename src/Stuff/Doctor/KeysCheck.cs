using Stuff.Configuration;
using Stuff.Server;

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
        {
            // Root reads any file; the app reads as the service user.
            if (context.Options.KeysCertificatePath is { } certificate && File.Exists(certificate)
                && !await context.ServiceUserCanAsync("-r", certificate, cancellationToken))
            {
                return [Finding.Failed(Id, Name, $"{Layout.ServiceUser} cannot read {certificate} ({KeyRingCertificate.Setting}; {FileModes.Octal(File.GetUnixFileMode(certificate))} {Ownership.Describe(certificate)})",
                    "the app refuses to start without the certificate that encrypts its key ring",
                    $"sudo chown root:{Layout.ServiceUser} {certificate} && sudo chmod 0640 {certificate}\nthen restart the app: {context.RestartApp}")];
            }
            return [DeploySettingsChecks.KeysInDatabase(Id, Name, context.Options, context.EnvFilePath)];
        }
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
            return [Finding.Failed(Id, Name, $"{user} cannot write {directory} ({FileModes.Octal(File.GetUnixFileMode(directory))} {Ownership.Describe(directory)})",
                consequence + "; new keys cannot be saved",
                $"sudo chown -R {user}:{user} {directory} && sudo chmod 0700 {directory}")];
        }
        var mode = File.GetUnixFileMode(directory);
        if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute)) != 0)
        {
            return [Finding.Failed(Id, Name, $"{directory} is readable by other users (mode {FileModes.Octal(mode)})",
                "whoever reads the keys can forge login cookies", $"sudo chmod 0700 {directory}")];
        }
        var keys = Directory.GetFiles(directory, "key-*.xml").Length;
        return keys == 0
            ? [Finding.Warning(Id, Name, $"{directory} holds no key yet", "the app writes its first key when it starts", $"start the app: {context.StartApp}")]
            : [Finding.Ok(Id, Name, $"{directory} ({keys} key(s), mode {FileModes.Octal(mode)})")];
    }
}
