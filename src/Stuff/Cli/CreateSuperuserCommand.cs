using System.CommandLine;

namespace Stuff.Cli;

/// <summary>`stuff createsuperuser`: the first account, interactively or from a script.</summary>
public static class CreateSuperuserCommand
{
    public const string PasswordVariable = "STUFF_SUPERUSER_PASSWORD";

    public static Command Create()
    {
        var username = new Option<string?>("--username") { Description = "The new user's username." };
        var email = new Option<string?>("--email") { Description = "The new user's email address (optional)." };
        var noInput = new Option<bool>("--no-input")
        {
            Description = $"Ask nothing: needs --username, and the password in the {PasswordVariable} environment variable.",
        };
        var command = new Command("createsuperuser", "Create a user who may do everything, including the admin site.") { username, email, noInput };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var user = await UserAccounts.CreateAsync(parse, new UserAccounts.NewUser(
                parse.GetValue(username), parse.GetValue(email), !parse.GetValue(noInput), PasswordVariable,
                IsStaff: true, IsSuperuser: true, Groups: []));
            await parse.InvocationConfiguration.Output.WriteLineAsync($"Superuser '{user.UserName}' created.");
            return 0;
        }));
        return command;
    }
}
