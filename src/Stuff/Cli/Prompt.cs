using System.Text;
using Stuff.Configuration;

namespace Stuff.Cli;

/// <summary>Questions on the terminal. Passwords are read without echo; piped input is read line by line.</summary>
public static class Prompt
{
    public static string? Line(string question)
    {
        Console.Error.Write(question);
        return Console.In.ReadLine();
    }

    public static string Password(string question)
    {
        Console.Error.Write(question);
        if (Console.IsInputRedirected)
            return Console.In.ReadLine() ?? throw new UserFacingException("No password given (input ended).");

        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0) password.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
        Console.Error.WriteLine();
        return password.ToString();
    }

    /// <summary>Asks twice until both answers match and <paramref name="check"/> finds no problem; gives up after three tries.</summary>
    public static async Task<string> NewPasswordAsync(Func<string, Task<IReadOnlyList<string>>> check)
    {
        for (var attempt = 1; ; attempt++)
        {
            var password = Password("Password: ");
            var again = Password("Password (again): ");
            IReadOnlyList<string> problems = password != again ? ["The two passwords didn't match."] : await check(password);
            if (problems.Count == 0) return password;

            foreach (var problem in problems) Console.Error.WriteLine("  " + problem);
            if (attempt == 3 || Console.IsInputRedirected)
                throw new UserFacingException("The password was not accepted: " + string.Join(" ", problems));
        }
    }
}
