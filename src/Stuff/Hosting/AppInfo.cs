using System.Reflection;

namespace Stuff.Hosting;

/// <summary>The version and commit this executable was built from.</summary>
public static class AppInfo
{
    private static readonly string Informational =
        typeof(AppInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The release version, such as 0.1.0.</summary>
    public static string Version => Informational.Split('+')[0];

    /// <summary>The short commit id, or "unknown" when the build was not made from a git checkout.</summary>
    public static string Commit => Informational.Split('+') is [_, var sha, ..] && sha.Length > 0 ? sha[..Math.Min(12, sha.Length)] : "unknown";

    /// <summary>"0.1.0 (abc123def456)", as the footer of every page shows it.</summary>
    public static string Display { get; } = $"{Version} ({Commit})";
}
