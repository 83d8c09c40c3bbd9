namespace Stuff.Data;

/// <summary>Case-insensitive LIKE patterns for the admin's search boxes.</summary>
public static class LikePattern
{
    /// <summary>A LIKE pattern that finds <paramref name="text"/> anywhere, with its own % and _ taken literally.</summary>
    public static string Contains(string text) =>
        "%" + text.ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    /// <summary>The escape character the patterns use, for EF.Functions.Like.</summary>
    public const string Escape = "\\";
}
