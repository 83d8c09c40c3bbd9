using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Backups;

/// <summary>
/// The off-site copy of the backups: a restic repository (a path, sftp:, s3:, b2:, rest: ...)
/// and its password, as the env file gives them. Every restic call gets them through its
/// environment, never its command line; on a server setup made, root's calls run as the service
/// user, whose SSH key and restic cache they are.
/// </summary>
public sealed record OffsiteRepository(string Url, string Password)
{
    /// <summary>The storage's own credentials, by restic's variable names (AWS_SECRET_ACCESS_KEY ...), from the env file.</summary>
    public IReadOnlyDictionary<string, string> Credentials { get; init; } = new Dictionary<string, string>();

    /// <summary>The variables restic's backends read their credentials from, which the env file may carry.</summary>
    public static readonly IReadOnlyList<string> CredentialKeys =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
        "B2_ACCOUNT_ID", "B2_ACCOUNT_KEY",
        "AZURE_ACCOUNT_NAME", "AZURE_ACCOUNT_KEY", "AZURE_ACCOUNT_SAS",
        "GOOGLE_PROJECT_ID", "GOOGLE_APPLICATION_CREDENTIALS",
        "OS_AUTH_URL", "OS_REGION_NAME", "OS_USERNAME", "OS_PASSWORD", "OS_TENANT_NAME", "OS_PROJECT_NAME",
        "OS_USER_DOMAIN_NAME", "OS_PROJECT_DOMAIN_NAME", "OS_APPLICATION_CREDENTIAL_ID", "OS_APPLICATION_CREDENTIAL_SECRET",
    ];

    public const string RepositoryKey = "STUFF_BACKUP_REPOSITORY";
    public const string PasswordKey = "STUFF_BACKUP_PASSWORD";

    /// <summary>The tag every snapshot of a Stuff backup carries; restore refuses a snapshot without it.</summary>
    public const string Tag = "stuff";

    /// <summary>Retention, applied with restic's forget --prune after every backup.</summary>
    public static readonly IReadOnlyList<string> KeepPolicy = ["--keep-daily", "7", "--keep-weekly", "4", "--keep-monthly", "12"];

    /// <summary>The retention policy in words, for the README, setup and the doctor.</summary>
    public const string KeepPolicyText = "7 daily, 4 weekly and 12 monthly snapshots";

    /// <summary>The repository named by the settings; null when none is (off-site copies are off).</summary>
    public static OffsiteRepository? From(IReadOnlyDictionary<string, string?>? values)
    {
        if (values?.GetValueOrDefault(RepositoryKey) is not { Length: > 0 } url || string.IsNullOrWhiteSpace(url)) return null;
        var password = values.GetValueOrDefault(PasswordKey);
        if (string.IsNullOrEmpty(password))
            throw new UserFacingException($"{RepositoryKey} names an off-site repository, but {PasswordKey} is not set: add the repository's password to the env file.");
        return new OffsiteRepository(url.Trim(), password) { Credentials = CredentialsIn(values) };
    }

    public static OffsiteRepository? From(IConfiguration configuration) =>
        From(new[] { RepositoryKey, PasswordKey }.Concat(CredentialKeys).ToDictionary(k => k, k => configuration[k]));

    /// <summary>The credentials among the values (an env file's, or setup's environment).</summary>
    public static Dictionary<string, string> CredentialsIn(IReadOnlyDictionary<string, string?>? values) =>
        CredentialKeys.Where(k => values?.GetValueOrDefault(k) is { Length: > 0 }).ToDictionary(k => k, k => values![k]!);

    /// <summary>The URL as it may be shown: without a password in it (rest:https://user:secret@host/...).</summary>
    public string Display => Redact(Url);

    public static string Redact(string url) => Regex.Replace(url, "(://[^/:@]+):[^/@]*@", "$1:***@");

    /// <summary>Whether restic understands the URL's form; null when it does, else what is wrong.</summary>
    public static string? Problem(string url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Any(char.IsWhiteSpace) || url.Any(char.IsControl))
            return $"'{Redact(url)}' is not a repository URL";
        if (url.StartsWith('/')) return null;
        if (url.StartsWith("local:", StringComparison.Ordinal) && !url.StartsWith("local:/", StringComparison.Ordinal))
            return $"the repository '{Redact(url)}' must be an absolute path";
        var scheme = url.Split(':', 2)[0];
        if (!url.Contains(':', StringComparison.Ordinal) || !Schemes.Contains(scheme))
            return $"restic does not understand the repository '{Redact(url)}'; use an absolute path (/srv/backups/stuff), sftp:USER@HOST:/PATH, s3:https://HOST/BUCKET/PATH, b2:BUCKET:PATH, rest:https://HOST/PATH, azure:, gs:, swift: or rclone:";
        if (url.Length <= scheme.Length + 1) return $"the repository '{Redact(url)}' names no place after '{scheme}:'";
        return null;
    }

    private static readonly HashSet<string> Schemes = ["local", "sftp", "s3", "b2", "rest", "azure", "gs", "swift", "rclone"];

    public bool IsSftp => Url.StartsWith("sftp:", StringComparison.Ordinal);

    /// <summary>The directory of a repository on this host (a path or local:PATH); null for a remote one.</summary>
    public string? LocalPath => Url.StartsWith('/') ? Url : Url.StartsWith("local:/", StringComparison.Ordinal) ? Url["local:".Length..] : null;
}

/// <summary>One snapshot in the repository, as `restic snapshots --json` lists it.</summary>
public sealed record OffsiteSnapshot(string Id, string ShortId, DateTime Time, IReadOnlyList<string> Tags)
{
    /// <summary>The release that wrote it (release:VERSION tag), or null.</summary>
    public string? Release => Tags.FirstOrDefault(t => t.StartsWith("release:", StringComparison.Ordinal))?["release:".Length..];
}

/// <summary>restic, run for one repository.</summary>
public sealed class Restic(OffsiteRepository repository, IShell shell)
{
    public OffsiteRepository Repository => repository;

    /// <summary>Runs restic; the repository and its password travel in its environment.</summary>
    public async Task<ShellResult> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>
        {
            ["RESTIC_REPOSITORY"] = repository.Url,
            ["RESTIC_PASSWORD"] = repository.Password,
        };
        foreach (var (name, value) in repository.Credentials) environment[name] = value;
        // restic's own reading of a password file or command would win over the one given here.
        // Root on a server setup made works with the service user's SSH key and cache, as the timer does.
        var (command, arguments) = Layout.RootWithServiceUser() ? ("runuser", (IReadOnlyList<string>)["-u", Layout.ServiceUser, "--", "restic", .. args]) : ("restic", args);
        return await shell.TryRunAsync(command, arguments, cancellationToken, environment: environment)
            ?? throw new UserFacingException("restic is not installed; off-site backups need it (Debian/Ubuntu: apt-get install restic; Fedora/RHEL: dnf install restic), or run stuff setup again, which installs it.");
    }

    /// <summary>True when the repository opens with the password; false when there is no repository there yet; otherwise the reason, thrown.</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["cat", "config", "--no-lock"], cancellationToken);
        if (result.Ok) return true;
        if (IsMissing(result.Error)) return false;
        throw Failure(result.Error);
    }

    /// <summary>restic found the place but no repository in it (and not because it could not get there).</summary>
    public static bool IsMissing(string error) =>
        error.Contains("Is there a repository at the following location?", StringComparison.Ordinal) && Unreachable(error) is null;

    public async Task InitAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["init"], cancellationToken);
        if (!result.Ok) throw Failure(result.Error, "cannot create the off-site repository");
    }

    /// <summary>Sends the files as one snapshot, tagged as a Stuff backup of this release; returns its short id.</summary>
    public async Task<string> BackupAsync(IEnumerable<string> files, string release, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["backup", "--quiet", "--json", "--tag", OffsiteRepository.Tag, "--tag", "release:" + release, .. files], cancellationToken);
        if (!result.Ok) throw Failure(result.Error);
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith('{')) continue;
            using var json = JsonDocument.Parse(line);
            if (json.RootElement.TryGetProperty("snapshot_id", out var id)) return id.GetString()![..8];
        }
        return "(unknown)";
    }

    /// <summary>Applies <see cref="OffsiteRepository.KeepPolicy"/> to the Stuff snapshots and prunes what no snapshot needs.</summary>
    public async Task ForgetAsync(CancellationToken cancellationToken)
    {
        // Grouped by host only: every backup's file has its own name, so restic's default grouping
        // by paths would keep every snapshot.
        var result = await RunAsync(["forget", "--quiet", "--tag", OffsiteRepository.Tag, "--group-by", "host", .. OffsiteRepository.KeepPolicy, "--prune"], cancellationToken);
        if (!result.Ok) throw Failure(result.Error, "applying the retention policy failed");
    }

    /// <summary>Every snapshot, oldest first.</summary>
    public async Task<IReadOnlyList<OffsiteSnapshot>> SnapshotsAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["snapshots", "--json", "--no-lock"], cancellationToken);
        if (!result.Ok) throw Failure(result.Error);
        return ParseSnapshots(result.Output);
    }

    public static IReadOnlyList<OffsiteSnapshot> ParseSnapshots(string json)
    {
        try
        {
            return Parse(json);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new UserFacingException($"restic listed the snapshots in a form this release does not read ({e.Message}).");
        }
    }

    private static IReadOnlyList<OffsiteSnapshot> Parse(string json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
        return [.. document.RootElement.EnumerateArray().Select(s => new OffsiteSnapshot(
            s.GetProperty("id").GetString()!,
            s.TryGetProperty("short_id", out var shortId) ? shortId.GetString()! : s.GetProperty("id").GetString()![..8],
            DateTime.Parse(s.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
            s.TryGetProperty("tags", out var tags) ? [.. tags.EnumerateArray().Select(t => t.GetString()!)] : []))
            .OrderBy(s => s.Time)];
    }

    /// <summary>
    /// The Stuff snapshot named by <paramref name="id"/> ("latest" for the newest); a snapshot
    /// that does not exist or is not a Stuff backup is a <see cref="UserFacingException"/>.
    /// </summary>
    public async Task<OffsiteSnapshot> FindAsync(string id, CancellationToken cancellationToken)
    {
        var snapshots = await SnapshotsAsync(cancellationToken);
        if (id == "latest")
            return snapshots.LastOrDefault(s => s.Tags.Contains(OffsiteRepository.Tag))
                ?? throw new UserFacingException($"The off-site repository {repository.Display} has no Stuff backup yet: run stuff backup first. Nothing was changed.");
        var matches = snapshots.Where(s => s.Id.StartsWith(id, StringComparison.OrdinalIgnoreCase)).ToList();
        if (id.Length < 4 || !id.All(char.IsAsciiHexDigit) || matches.Count == 0)
            throw new UserFacingException($"There is no snapshot '{id}' in {repository.Display}; `stuff backup --list` shows them. Nothing was changed.");
        if (matches.Count > 1) throw new UserFacingException($"'{id}' names {matches.Count} snapshots in {repository.Display}; give more of its id. Nothing was changed.");
        if (!matches[0].Tags.Contains(OffsiteRepository.Tag))
            throw new UserFacingException($"Snapshot {matches[0].ShortId} in {repository.Display} is not a Stuff backup (it has no '{OffsiteRepository.Tag}' tag). Nothing was changed.");
        return matches[0];
    }

    /// <summary>Restores the snapshot's files under <paramref name="target"/>.</summary>
    public async Task RestoreAsync(OffsiteSnapshot snapshot, string target, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["restore", "--quiet", snapshot.Id, "--target", target], cancellationToken);
        if (result.Ok) return;
        // What fails on this side: the disk the snapshot is read back to.
        foreach (var local in new[] { "no space left on device", "permission denied", "read-only file system" })
            if (result.Error.Contains(local, StringComparison.OrdinalIgnoreCase) && result.Error.Contains(target, StringComparison.Ordinal))
                throw new UserFacingException($"Snapshot {snapshot.ShortId} cannot be read back into {target} on this server ({local}): free space there, or make it writable by the service user. Nothing was changed.");
        throw Failure(result.Error, $"snapshot {snapshot.ShortId} cannot be read back");
    }

    /// <summary>
    /// Reads <paramref name="snapshot"/> back into <paramref name="target"/> and returns the one
    /// backup of <paramref name="database"/>'s kind it holds; a snapshot with none, or several,
    /// is not a Stuff backup for it.
    /// </summary>
    public async Task<FileInfo> RestoreBackupAsync(OffsiteSnapshot snapshot, string target, DatabaseUrl database, CancellationToken cancellationToken)
    {
        await RestoreAsync(snapshot, target, cancellationToken);
        var found = new DirectoryInfo(target).EnumerateFiles(Backup.Pattern(database), SearchOption.AllDirectories).ToList();
        return found.Count == 1 ? found[0]
            : throw new UserFacingException($"Snapshot {snapshot.ShortId} holds {(found.Count == 0 ? "no" : found.Count.ToString(CultureInfo.InvariantCulture))} {Backup.Extension(database)} backup(s) of this kind of database, so it is not a Stuff backup for {database}. Nothing was changed.");
    }

    /// <summary>restic's complaint as one line that names the problem and the fix; the password never appears in it.</summary>
    public UserFacingException Failure(string error, string? what = null)
    {
        var explained = Explain(error, repository);
        return new(string.IsNullOrEmpty(what) ? explained : $"{char.ToUpperInvariant(what[0])}{what[1..]}. {explained}");
    }

    public static string Explain(string error, OffsiteRepository repository)
    {
        var where = repository.Display;
        string? Has(params string[] texts) => texts.FirstOrDefault(t => error.Contains(t, StringComparison.OrdinalIgnoreCase));
        if (Has("wrong password or no key found") is not null)
            return $"The password is wrong for {where}: {OffsiteRepository.PasswordKey} in the env file must be the one the repository was made with.";
        if (Has("parsing repository location failed", "invalid backend") is not null)
            return (OffsiteRepository.Problem(repository.Url) ?? $"restic does not understand the repository '{where}'") + ".";
        if (Has("Permission denied (publickey", "Permission denied, please try again") is { } refused)
            return $"The backup host refused the service user's SSH key for {where} ({Reason(error, refused)}): add {Layout.DefaultDataDirectory}/.ssh/id_ed25519.pub to that account's ~/.ssh/authorized_keys.";
        if (Has("Host key verification failed", "REMOTE HOST IDENTIFICATION HAS CHANGED") is { } hostKey)
            return $"The backup host's SSH key is not the one known for {where} ({Reason(error, hostKey)}): if it was reinstalled, remove its line from {Layout.DefaultDataDirectory}/.ssh/known_hosts.";
        if (Unreachable(error) is { } unreachable)
            return $"The repository {where} cannot be reached ({Reason(error, unreachable)}): check the host name, that it is up, and that the firewall lets this server reach it.";
        if (Has("no space left on device", "quota exceeded") is { } full)
            return $"The repository {where} is full ({Reason(error, full)}): free space there or move it.";
        if (Has("read-only file system") is { } readOnly)
            return $"The repository {where} is read-only ({Reason(error, readOnly)}): it must be writable by the service user.";
        if (Has("permission denied") is { } denied)
            return $"The service user may not write the repository {where} ({Reason(error, denied)}): give it (user {Layout.ServiceUser}) write access there.";
        if (Has("ciphertext verification failed", "repository contains errors", "hash does not match", "unexpected EOF", "pack file cannot be listed") is { } damaged)
            return $"The repository {where} is damaged ({Reason(error, damaged)}): `restic check --read-data` names what; take a new backup and keep the old snapshots until it is repaired.";
        if (IsMissing(error))
            return $"There is no restic repository at {where}: run stuff setup with --backup-repository to create it.";
        return $"restic failed on {where}: {Reason(error, null)}";
    }

    /// <summary>The words by which restic (or ssh under it) says it could not reach the repository; null when it did.</summary>
    private static string? Unreachable(string error) =>
        new[] { "Connection refused", "No route to host", "no such host", "Could not resolve hostname", "i/o timeout", "Connection timed out",
            "network is unreachable", "unable to start the sftp session", "dial tcp" }
            .FirstOrDefault(t => error.Contains(t, StringComparison.OrdinalIgnoreCase));

    /// <summary>restic's own words: the line that says <paramref name="keyword"/>, else its Fatal line, else its last line.</summary>
    private static string Reason(string error, string? keyword)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = (keyword is null ? null : lines.FirstOrDefault(l => l.Contains(keyword, StringComparison.OrdinalIgnoreCase)))
            ?? lines.FirstOrDefault(l => l.StartsWith("Fatal:", StringComparison.Ordinal))
            ?? lines.LastOrDefault() ?? "no message";
        foreach (var prefix in new[] { "Fatal:", "subprocess ssh:" })
            if (line.StartsWith(prefix, StringComparison.Ordinal)) line = line[prefix.Length..].Trim();
        line = OffsiteRepository.Redact(line);
        return line.Length > 300 ? line[..300] + " ..." : line;
    }
}
