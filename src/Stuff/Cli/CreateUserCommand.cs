using System.CommandLine;

namespace Stuff.Cli;

/// <summary>`stuff createuser`: an ordinary account (optionally staff, in groups), for scripts that provision people.</summary>
public static class CreateUserCommand
{
    public const string PasswordVariable = "STUFF_USER_PASSWORD";

    public static Command Create()
    {
        var username = new Option<string?>("--username") { Description = "The new user's username." };
        var email = new Option<string?>("--email") { Description = "The new user's email address (optional)." };
        var staff = new Option<bool>("--staff") { Description = "Let the user enter the admin site (they can do there only what their permissions allow)." };
        var groups = new Option<string[]>("--group")
        {
            Description = "Put the user in this group (by name; repeat for several). The group must exist.",
            AllowMultipleArgumentsPerToken = false,
        };
        var noInput = new Option<bool>("--no-input")
        {
            Description = $"Ask nothing: needs --username, and the password in the {PasswordVariable} environment variable.",
        };
        var command = new Command("createuser", "Create a user who is not a superuser.") { username, email, staff, groups, noInput };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var user = await UserAccounts.CreateAsync(parse, new UserAccounts.NewUser(
                parse.GetValue(username), parse.GetValue(email), !parse.GetValue(noInput), PasswordVariable,
                IsStaff: parse.GetValue(staff), IsSuperuser: false, Groups: parse.GetValue(groups) ?? []));
            await parse.InvocationConfiguration.Output.WriteLineAsync($"User '{user.UserName}' created.");
            return 0;
        }));
        return command;
    }
}
