using Microsoft.AspNetCore.Identity;
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
}
