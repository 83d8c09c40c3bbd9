using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Stuff.Configuration;
using Stuff.Data;

namespace Stuff.Cli;

/// <summary>`stuff changepassword USER`: sets a user's password after checking it against the rules.</summary>
public static class ChangePasswordCommand
{
    public static Command Create()
    {
        var username = new Argument<string>("username") { Description = "The user whose password to change." };
        var command = new Command("changepassword", "Set a user's password (asked twice, not shown).") { username };
        command.SetAction(StuffCommandLine.Guard(async (parse, cancellationToken) =>
        {
            var name = parse.GetRequiredValue(username).Trim();
            await using var app = CliHost.Build(parse);
            await using var scope = app.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();

            var user = await users.FindByNameAsync(name)
                ?? throw new UserFacingException($"There is no user named '{name}'.");

            parse.InvocationConfiguration.Error.WriteLine($"Changing the password of '{user.UserName}'.");
            var password = await Prompt.NewPasswordAsync(p => UserAccounts.CheckPasswordAsync(users, user, p));

            // The rules were checked above, so the hash can be replaced in one update; the new
            // security stamp signs the user out everywhere else.
            user.PasswordHash = users.PasswordHasher.HashPassword(user, password);
            var result = await users.UpdateSecurityStampAsync(user);
            if (!result.Succeeded)
                throw new UserFacingException("The password was not changed: " + UserAccounts.Describe(result));

            await parse.InvocationConfiguration.Output.WriteLineAsync($"Password changed for '{user.UserName}'.");
            return 0;
        }));
        return command;
    }
}
