using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>The env file exists, the service user can read it, and nobody else can.</summary>
public sealed class EnvFileCheck : DoctorCheck
{
    private const string Id = "env-file";
    private const string Name = "Env file";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var path = context.EnvFilePath;
        var owner = $"root:{Layout.ServiceUser}";
        var fix = $"sudo chown {owner} {path} && sudo chmod 0640 {path}";
        if (!File.Exists(path))
        {
            return [Finding.Failed(Id, Name, $"{path} does not exist",
                "the app has no database URL or secrets, so it cannot start",
                $"run setup again, which writes it: sudo {context.Layout.Executable} setup --domain {context.Domain} (with the --tls options you used)")];
        }

        var mode = File.GetUnixFileMode(path);
        var description = $"mode {FileModes.Octal(mode)}, {Ownership.Describe(path)}";
        const UnixFileMode others = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((mode & others) != 0)
        {
            return [Finding.Failed(Id, Name, $"{path} is open to every user ({description})",
                "it holds the database password and other users may read or change it; the app refuses to start with it",
                fix)];
        }
        if (!await context.ServiceUserCanAsync("-r", path, cancellationToken))
        {
            return [Finding.Failed(Id, Name, $"the service user {Layout.ServiceUser} cannot read {path} ({description})",
                "the app runs as that user and stops at start-up without its settings", fix)];
        }
        if (context.EnvError is { } error)
            return [Finding.Failed(Id, Name, $"{path} cannot be read as settings", error, $"edit {path}: one KEY=VALUE per line, '#' starts a comment")];
        return [Finding.Ok(Id, Name, $"{path} ({description})")];
    }
}
