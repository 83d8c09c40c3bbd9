using System.Text;

namespace Stuff.Configuration;

/// <summary>
/// The production secrets file named by STUFF_ENV_FILE: KEY=VALUE lines, '#' comments,
/// optional single or double quotes around a value. It is refused when other users may read
/// or write it, because it holds the database password.
/// </summary>
public static class EnvFile
{
    public const string PathVariable = "STUFF_ENV_FILE";

    /// <summary>Where `stuff setup` installs the releases.</summary>
    public const string InstalledRoot = "/opt/stuff";

    /// <summary>Where `stuff setup` writes the installed site's settings.</summary>
    public const string InstalledPath = "/etc/stuff/stuff.env";

    /// <summary>
    /// Adds the env file named by STUFF_ENV_FILE (read from the configuration so far) as the last
    /// (winning) configuration source. Without it, the installed executable reads the installed
    /// settings, so `sudo /opt/stuff/bin/stuff backup` works on the database the site uses.
    /// </summary>
    public static IConfigurationBuilder AddStuffEnvFile(this ConfigurationManager configuration)
    {
        var path = UsedPath(configuration);
        if (path is null) return configuration;
        return configuration.AddInMemoryCollection(Read(path));
    }

    /// <summary>The env file this configuration reads (named by STUFF_ENV_FILE, else the installed one), or null.</summary>
    public static string? UsedPath(IConfiguration configuration) =>
        configuration[PathVariable] is { } named && !string.IsNullOrWhiteSpace(named)
            ? Path.GetFullPath(named)
            : InstalledDefault(AppContext.BaseDirectory);

    /// <summary>The installed settings for an executable under /opt/stuff on a server setup made; null anywhere else.</summary>
    public static string? InstalledDefault(string baseDirectory) =>
        baseDirectory.StartsWith(InstalledRoot + "/", StringComparison.Ordinal) && Directory.Exists(Path.GetDirectoryName(InstalledPath))
            ? InstalledPath
            : null;

    /// <summary>Reads and checks the file. Every problem is a <see cref="UserFacingException"/> that never quotes a value.</summary>
    public static IReadOnlyDictionary<string, string?> Read(string path)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
            throw new UserFacingException($"{PathVariable} points at {path}, which does not exist. Create it (mode 0640) or unset {PathVariable}.");

        CheckPermissions(path);
        return ReadValues(path);
    }

    /// <summary>Parses the file without judging its permissions (the doctor reports those itself).</summary>
    public static IReadOnlyDictionary<string, string?> ReadValues(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot read {path}: permission denied. The service user must be able to read it: chown root:stuff {path} && chmod 0640 {path}");
        }
        catch (DecoderFallbackException)
        {
            throw new UserFacingException($"{path} is not valid UTF-8 text.");
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in KeyValueLines.Parse(lines, (line, why) => throw new UserFacingException($"{path} line {line}: {why}"), StringComparer.OrdinalIgnoreCase))
        {
            // Double underscores are the usual stand-in for ':' in environment variable names.
            values[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }
        return values;
    }

    private static void CheckPermissions(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode other = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((mode & other) != 0)
        {
            var octal = FileModes.Octal(mode);
            throw new UserFacingException(
                $"Refusing to start: {path} holds secrets but other users may read or write it (mode {octal}). " +
                $"Fix it with: chmod 0640 {path} && chown root:stuff {path}");
        }
    }
}
