using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Stuff.Configuration;
using Stuff.Data;

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
            var interactive = !parse.GetValue(noInput);
            var name = parse.GetValue(username)?.Trim();
            var mail = parse.GetValue(email)?.Trim();

            if (!interactive && string.IsNullOrEmpty(name))
                throw new UserFacingException("--username is required with --no-input.");
            var scriptedPassword = Environment.GetEnvironmentVariable(PasswordVariable);
            if (!interactive && string.IsNullOrEmpty(scriptedPassword))
                throw new UserFacingException($"--no-input needs the password in the {PasswordVariable} environment variable.");

            await using var app = CliHost.Build(parse);
            await using var scope = app.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();

            if (interactive)
            {
                while (string.IsNullOrEmpty(name))
                    name = (Prompt.Line("Username: ") ?? throw new UserFacingException("No username given (input ended).")).Trim();
                mail ??= Prompt.Line("Email address (optional): ")?.Trim();
            }
            if (await users.FindByNameAsync(name!) is not null)
                throw new UserFacingException($"A user named '{name}' already exists. To set a new password: stuff changepassword {name}");

            var user = new AppUser
            {
                UserName = name,
                Email = string.IsNullOrEmpty(mail) ? null : mail,
                IsActive = true,
                IsStaff = true,
                IsSuperuser = true,
                DateJoined = clock.GetUtcNow().UtcDateTime,
            };
            var password = interactive
                ? await Prompt.NewPasswordAsync(p => UserAccounts.CheckPasswordAsync(users, user, p))
                : scriptedPassword!;

            var result = await users.CreateAsync(user, password);
            if (!result.Succeeded)
                throw new UserFacingException("The superuser was not created: " + UserAccounts.Describe(result));

            await parse.InvocationConfiguration.Output.WriteLineAsync($"Superuser '{name}' created.");
            return 0;
        }));
        return command;
    }
}
