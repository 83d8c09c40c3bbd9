using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Stuff.Configuration;
using Stuff.Data;

namespace Stuff.Cli;

/// <summary>What the user commands share: checking a password against every rule before anything is written.</summary>
public static class UserAccounts
{
    public static async Task<IReadOnlyList<string>> CheckPasswordAsync(UserManager<AppUser> users, AppUser user, string password)
    {
        var problems = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            problems.AddRange(result.Errors.Select(e => e.Description));
        }
        return problems;
    }

    public static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));

    /// <summary>What createuser and createsuperuser ask for; the flags and groups are the caller's.</summary>
    public sealed record NewUser(string? Name, string? Email, bool Interactive, string PasswordVariable, bool IsStaff, bool IsSuperuser, IReadOnlyList<string> Groups);

    /// <summary>
    /// Creates a user from the command line: asks what is missing (interactive) or takes the
    /// password from the environment (--no-input), and writes nothing unless everything is valid.
    /// </summary>
    public static async Task<AppUser> CreateAsync(ParseResult parse, NewUser request)
    {
        var name = request.Name?.Trim();
        var mail = request.Email?.Trim();
        if (!request.Interactive && string.IsNullOrEmpty(name))
            throw new UserFacingException("--username is required with --no-input.");
        var scriptedPassword = CliEnvironment.Of(parse).Get(request.PasswordVariable);
        if (!request.Interactive && string.IsNullOrEmpty(scriptedPassword))
            throw new UserFacingException($"--no-input needs the password in the {request.PasswordVariable} environment variable.");

        await using var app = CliHost.Build(parse);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var normalizer = scope.ServiceProvider.GetRequiredService<ILookupNormalizer>();
        var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();

        // Groups first: a typo in a script should fail before any question is asked.
        var groupIds = new List<string>();
        foreach (var group in request.Groups.Select(g => g.Trim()).Distinct())
        {
            var normalized = normalizer.NormalizeName(group);
            var id = await db.Roles.Where(r => r.NormalizedName == normalized).Select(r => r.Id).FirstOrDefaultAsync()
                ?? throw new UserFacingException($"There is no group named '{group}'. Create it in the admin site (Groups) first. No user was created.");
            groupIds.Add(id);
        }

        if (request.Interactive)
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
            IsStaff = request.IsStaff,
            IsSuperuser = request.IsSuperuser,
            DateJoined = clock.GetUtcNow().UtcDateTime,
        };
        var password = request.Interactive
            ? await Prompt.NewPasswordAsync(p => CheckPasswordAsync(users, user, p))
            : scriptedPassword!;

        await using var transaction = await db.Database.BeginTransactionAsync();
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
            throw new UserFacingException($"The {(request.IsSuperuser ? "superuser" : "user")} was not created: " + Describe(result));
        db.UserRoles.AddRange(groupIds.Select(id => new IdentityUserRole<string> { UserId = user.Id, RoleId = id }));
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return user;
    }
}
