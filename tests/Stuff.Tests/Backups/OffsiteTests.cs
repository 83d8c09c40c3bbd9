using Stuff.Backups;
using Stuff.Server;

namespace Stuff.Tests.Backups;

/// <summary>What restic says, as recorded from restic 0.14 (Debian 12), turned into one line with the problem and the fix.</summary>
public sealed class OffsiteTests
{
    private static readonly OffsiteRepository Sftp = new("sftp:backup@127.0.0.1:/srv/stuff", "the password");
    private static readonly OffsiteRepository Local = new("/srv/offsite/stuff", "the password");

    /// <summary>What restic wrote, without the fixture's first line (which says what was recorded).</summary>
    private static string Recorded(string name) => Fixtures.Read(name).Split('\n', 2)[1];

    [Theory]
    [InlineData("restic-0.14.wrong-password.txt", "The password is wrong for /srv/offsite/stuff: STUFF_BACKUP_PASSWORD in the env file must be the one the repository was made with.")]
    [InlineData("restic-0.14.no-repository.txt", "There is no restic repository at /srv/offsite/stuff: run stuff setup with --backup-repository to create it.")]
    [InlineData("restic-0.14.no-space.txt", "The repository /srv/offsite/stuff is full (unable to save snapshot: write ")]
    [InlineData("restic-0.14.read-only.txt", "The repository /srv/offsite/stuff is read-only (")]
    [InlineData("restic-0.14.damaged-restore.txt", "The repository /srv/offsite/stuff is damaged (ignoring error for /tmp/st/a.pgdump: ciphertext verification failed)")]
    [InlineData("restic-0.14.rest-refused.txt", "The repository /srv/offsite/stuff cannot be reached (unable to open config file: client.Head: ")]
    public void Restic_failures_name_the_problem_and_the_fix(string fixture, string expected)
    {
        var message = Restic.Explain(Recorded(fixture), Local);

        Assert.StartsWith(expected, message);
        Assert.DoesNotContain("\n", message);
        Assert.DoesNotContain("github.com", message);
    }

    [Fact]
    public void An_unreachable_repository_is_not_taken_for_a_missing_one()
    {
        Assert.False(Restic.IsMissing(Recorded("restic-0.14.rest-refused.txt")));
        Assert.True(Restic.IsMissing(Recorded("restic-0.14.no-repository.txt")));
        var message = Restic.Explain(Recorded("restic-0.14.sftp-refused.txt"), Sftp);
        Assert.Equal("The repository sftp:backup@127.0.0.1:/srv/stuff cannot be reached (ssh: connect to host 127.0.0.1 port 22: Connection refused): check the host name, that it is up, and that the firewall lets this server reach it.", message);
    }

    [Theory]
    [InlineData("ftp:backup@example.org/stuff", "restic does not understand the repository 'ftp:backup@example.org/stuff'; use an absolute path")]
    [InlineData("relative/path", "restic does not understand the repository 'relative/path'")]
    [InlineData("sftp:", "the repository 'sftp:' names no place after 'sftp:'")]
    [InlineData("/srv/with space", "'/srv/with space' is not a repository URL")]
    [InlineData("rest:https://user:secret@backup.example.org/stuff", null)]
    [InlineData("s3:https://s3.example.org/bucket/stuff", null)]
    [InlineData("/mnt/backup/stuff", null)]
    public void Repository_urls_restic_does_not_understand_are_refused_before_anything_runs(string url, string? expected)
    {
        var problem = OffsiteRepository.Problem(url);
        if (expected is null) Assert.Null(problem);
        else Assert.StartsWith(expected, problem);
    }

    [Fact]
    public void Restic_refusing_the_url_is_explained_as_setup_explains_it()
    {
        var message = Restic.Explain(Recorded("restic-0.14.unknown-backend.txt"), new OffsiteRepository("ftp:backup@example.org/stuff", "p"));
        Assert.StartsWith("restic does not understand the repository 'ftp:backup@example.org/stuff'; use an absolute path", message);
    }

    [Fact]
    public void A_password_in_the_url_is_never_shown()
    {
        var rest = new OffsiteRepository("rest:https://backup:s3cret@backup.example.org:8000/stuff", "the password");
        Assert.Equal("rest:https://backup:***@backup.example.org:8000/stuff", rest.Display);
        Assert.DoesNotContain("s3cret", Restic.Explain("Fatal: unable to open config file: Head \"https://backup:s3cret@backup.example.org:8000/stuff/config\": dial tcp: lookup backup.example.org: no such host\nIs there a repository at the following location?\nrest:https://backup:s3cret@backup.example.org:8000/stuff", rest));
    }

    /// <summary>Records what restic would have been run with, and answers as restic does for an empty repository.</summary>
    private sealed class CapturingShell : Stuff.Server.IShell
    {
        public List<(string Command, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Environment)> Ran { get; } = [];

        public Task<Stuff.Server.ShellResult> RunAsync(string command, IReadOnlyList<string> args, CancellationToken cancellationToken, string? stdin = null,
            IReadOnlyDictionary<string, string>? environment = null)
        {
            Ran.Add((command, args, environment ?? new Dictionary<string, string>()));
            return Task.FromResult(new Stuff.Server.ShellResult(0, "[]", ""));
        }
    }

    [Fact]
    public async Task The_password_and_the_storages_credentials_reach_restic_in_its_environment_never_its_arguments()
    {
        var shell = new CapturingShell();
        var s3 = new OffsiteRepository("s3:https://s3.example.org/bucket/stuff", "the repository password")
        {
            Credentials = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "key id", ["AWS_SECRET_ACCESS_KEY"] = "secret key" },
        };

        Assert.Empty(await new Restic(s3, shell).SnapshotsAsync(CancellationToken.None));

        var (command, args, environment) = Assert.Single(shell.Ran);
        Assert.DoesNotContain(args, a => a.Contains("password", StringComparison.Ordinal) || a.Contains("secret", StringComparison.Ordinal) || a.Contains("s3:", StringComparison.Ordinal));
        Assert.Equal("the repository password", environment["RESTIC_PASSWORD"]);
        Assert.Equal("s3:https://s3.example.org/bucket/stuff", environment["RESTIC_REPOSITORY"]);
        Assert.Equal("secret key", environment["AWS_SECRET_ACCESS_KEY"]);
        Assert.Equal("key id", environment["AWS_ACCESS_KEY_ID"]);
        Assert.Contains("snapshots", args);
        // Root on a host with the service user runs restic as that user, as the timer does.
        Assert.Equal(Layout.RootWithServiceUser() ? "runuser" : "restic", command);
    }

    [Fact]
    public void Credentials_are_read_from_the_env_files_values_by_restics_names_only()
    {
        var repository = OffsiteRepository.From(new Dictionary<string, string?>
        {
            [OffsiteRepository.RepositoryKey] = "b2:bucket:stuff",
            [OffsiteRepository.PasswordKey] = "p",
            ["B2_ACCOUNT_ID"] = "id",
            ["B2_ACCOUNT_KEY"] = "key",
            ["DATABASE_URL"] = "postgres://stuff:db-secret@127.0.0.1/stuff",
        })!;

        Assert.Equal(["B2_ACCOUNT_ID", "B2_ACCOUNT_KEY"], repository.Credentials.Keys.Order(StringComparer.Ordinal));
        Assert.Null(OffsiteRepository.From(new Dictionary<string, string?> { ["DATABASE_URL"] = "x" }));
        var none = Assert.Throws<Stuff.Configuration.UserFacingException>(() => OffsiteRepository.From(new Dictionary<string, string?> { [OffsiteRepository.RepositoryKey] = "/srv/x" }));
        Assert.Contains("STUFF_BACKUP_PASSWORD is not set", none.Message);
    }

    [Fact]
    public void Snapshots_are_read_with_their_tags_and_release()
    {
        var snapshot = Assert.Single(Restic.ParseSnapshots(Recorded("restic-0.14.snapshots.json")));

        Assert.Equal("c2ae280c", snapshot.ShortId);
        Assert.Equal(["stuff", "release:1.0"], snapshot.Tags);
        Assert.Equal("1.0", snapshot.Release);
        Assert.Equal(DateTimeKind.Utc, snapshot.Time.Kind);
        Assert.Empty(Restic.ParseSnapshots(""));
    }
}
