using Stuff.Configuration;

namespace Stuff.Server;

/// <summary>Owner, group and mode of a path, compared and shown as chmod and chown take them.</summary>
public static class Ownership
{
    /// <summary>Compares owner, group and mode with what `stat` reports; null when they match.</summary>
    public static string? Difference(string path, string owner, string group, UnixFileMode mode)
    {
        var actualMode = File.GetUnixFileMode(path);
        if (actualMode != mode) return $"{path} has mode {FileModes.Octal(actualMode)}, not {FileModes.Octal(mode)}";
        var (actualOwner, actualGroup) = OwnerOf(path);
        return actualOwner == owner && actualGroup == group ? null : $"{path} belongs to {actualOwner}:{actualGroup}, not {owner}:{group}";
    }

    /// <summary>"owner:group" of a path, by name.</summary>
    public static string Describe(string path) => OwnerOf(path) is var (owner, group) ? $"{owner}:{group}" : "";

    public static (string Owner, string Group) OwnerOf(string path)
    {
        // Names, as chown takes them; .NET reads modes but not owners.
        var text = new ProcessShell().RunAsync("stat", ["-c", "%U:%G", path], CancellationToken.None).GetAwaiter().GetResult().Output.Trim();
        var parts = text.Split(':');
        return parts.Length == 2 ? (parts[0], parts[1]) : ("?", "?");
    }
}
