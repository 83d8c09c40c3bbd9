using System.Collections.Frozen;
using Microsoft.AspNetCore.Identity;
using Stuff.Data;

namespace Stuff.Accounts;

/// <summary>
/// The password rules beyond Identity's length check, after OWASP ASVS level 1 and Django's
/// validators: at most <see cref="MaxLength"/> characters, not all digits, not a common password
/// (also when decorated with digits, symbols or letter-for-digit swaps), not a keyboard or
/// alphabet run, not one piece repeated, and not too close to the user's own name or email.
/// No composition rules.
/// </summary>
public sealed class PasswordRules : IPasswordValidator<AppUser>
{
    public const int MinLength = 12;
    public const int MaxLength = 128;

    private static readonly FrozenSet<string> Common = LoadCommonPasswords();

    private static readonly string[] Runs =
    [
        "abcdefghijklmnopqrstuvwxyz",
        "01234567890",
        "qwertyuiopasdfghjklzxcvbnm",
        "qwertzuiopasdfghjklyxcvbnm",
        "azertyuiopqsdfghjklmwxcvbn",
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
        "!@#$%^&*()_+",
    ];

    public Task<IdentityResult> ValidateAsync(UserManager<AppUser> manager, AppUser user, string? password)
    {
        var errors = Check(password ?? "", user.UserName, user.Email, user.FirstName, user.LastName)
            .Select(message => new IdentityError { Code = "PasswordRule", Description = message })
            .ToArray();
        return Task.FromResult(errors.Length == 0 ? IdentityResult.Success : IdentityResult.Failed(errors));
    }

    /// <summary>Returns the rules the password breaks, as sentences for the person choosing it.</summary>
    public static IEnumerable<string> Check(string password, params string?[] personal)
    {
        if (password.Length > MaxLength)
        {
            yield return $"Passwords must be at most {MaxLength} characters.";
            yield break;
        }
        if (password.Length > 0 && password.All(char.IsAsciiDigit))
            yield return "This password is entirely numeric.";
        else if (IsCommon(password))
            yield return "This password is too common.";
        if (IsTooSimilar(password, personal))
            yield return "This password is too similar to your username or email address.";
    }

    private static bool IsCommon(string password)
    {
        var lower = password.ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
        if (Common.Contains(lower) || IsRun(lower) || IsRepeated(lower)) return true;

        // "P@ssw0rd2024!" is "password" with decorations: strip digits and symbols at the ends,
        // undo the usual letter-for-digit swaps, and look again.
        var core = lower.Trim("0123456789!@#$%^&*()_+-=.,?~ ".ToCharArray());
        if (core.Length == 0) return true;
        var unswapped = new string(core.Select(Unswap).ToArray());
        return Common.Contains(core) || Common.Contains(unswapped)
            || IsRepeated(unswapped) || IsRun(unswapped)
            || (unswapped.Length <= 5 && lower.Length - unswapped.Length >= 6 && TrailingIsRun(lower));
    }

    private static char Unswap(char c) => c switch
    {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '@' => 'a',
        '$' => 's',
        '!' => 'i',
        _ => c,
    };

    private static bool IsRun(string s) =>
        s.Length >= 4 && Runs.Any(run => run.Contains(s, StringComparison.Ordinal) || Reverse(run).Contains(s, StringComparison.Ordinal));

    private static bool TrailingIsRun(string s)
    {
        var digits = new string(s.Reverse().TakeWhile(char.IsAsciiDigit).Reverse().ToArray());
        return digits.Length >= 6 && IsRun(digits);
    }

    private static string Reverse(string s) => new(s.Reverse().ToArray());

    private static bool IsRepeated(string s)
    {
        for (var unit = 1; unit <= s.Length / 2; unit++)
        {
            if (s.Length % unit != 0) continue;
            var piece = s.AsSpan(0, unit);
            var repeated = true;
            for (var i = unit; i < s.Length && repeated; i += unit)
                repeated = s.AsSpan(i, unit).SequenceEqual(piece);
            if (repeated) return true;
        }
        return false;
    }

    /// <summary>Django's measure: too similar when the password is mostly made of the same letters as a name or email part.</summary>
    private static bool IsTooSimilar(string password, IEnumerable<string?> personal)
    {
        var lower = password.ToLowerInvariant();
        foreach (var value in personal)
        {
            if (string.IsNullOrWhiteSpace(value)) continue;
            var parts = System.Text.RegularExpressions.Regex.Split(value.ToLowerInvariant(), @"[^\p{L}\p{Nd}]+")
                .Append(value.ToLowerInvariant())
                .Where(p => p.Length >= 3);
            foreach (var part in parts)
            {
                if (lower.Contains(part, StringComparison.Ordinal) && lower.Length - part.Length < MinLength)
                    return true;
                if (QuickRatio(lower, part) >= 0.7) return true;
            }
        }
        return false;
    }

    private static double QuickRatio(string a, string b)
    {
        var counts = new Dictionary<char, int>();
        foreach (var c in b) counts[c] = counts.GetValueOrDefault(c) + 1;
        var matches = 0;
        foreach (var c in a)
        {
            if (counts.GetValueOrDefault(c) > 0)
            {
                counts[c]--;
                matches++;
            }
        }
        return 2.0 * matches / (a.Length + b.Length);
    }

    private static FrozenSet<string> LoadCommonPasswords()
    {
        using var stream = typeof(PasswordRules).Assembly.GetManifestResourceStream("Stuff.Accounts.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is missing from the build.");
        using var reader = new StreamReader(stream);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length > 0 && !line.StartsWith('#')) words.Add(line.ToLowerInvariant());
        }
        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
