using Stuff.Server;

namespace Stuff.Setup;

/// <summary>The service user that runs the app and the group of people allowed to deploy it.</summary>
public sealed class UsersStep : Step
{
    public override string Name => "Users";

    public override IEnumerable<string> Describe(SetupContext context) =>
    [
        $"run groupadd --system {Layout.DeployGroup}",
        $"run useradd --system --user-group --home-dir {context.Layout.DataDirectory} --no-create-home --shell /usr/sbin/nologin {Layout.ServiceUser}",
    ];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (await context.Shell.TryRunAsync("getent", ["group", Layout.DeployGroup], cancellationToken) is not { Ok: true }) return $"group {Layout.DeployGroup} is missing";
        if (await context.Shell.TryRunAsync("id", ["-u", Layout.ServiceUser], cancellationToken) is not { Ok: true }) return $"user {Layout.ServiceUser} is missing";
        return null;
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        if (await context.Shell.TryRunAsync("getent", ["group", Layout.DeployGroup], cancellationToken) is not { Ok: true })
            await context.Shell.MustAsync("groupadd", ["--system", Layout.DeployGroup], cancellationToken);
        if (await context.Shell.TryRunAsync("id", ["-u", Layout.ServiceUser], cancellationToken) is not { Ok: true })
            await context.Shell.MustAsync("useradd", ["--system", "--user-group", "--home-dir", context.Layout.DataDirectory, "--no-create-home", "--shell", "/usr/sbin/nologin", Layout.ServiceUser], cancellationToken);
    }
}
