using Stuff.Configuration;

namespace Stuff.Tests.Configuration;

public sealed class EnvFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stuff-env-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)
    {
        var path = Path.Combine(_directory, "stuff.env");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void Reads_keys_values_comments_quotes_and_exports()
    {
        var path = Write("""
            # the database
            DATABASE_URL=postgres://stuff:s3cr3t=x@localhost/stuff

            export STUFF_BASE_PATH="/stuff"
            Logging__LogLevel__Default='Warning'
            EMPTY=
            """);

        var values = EnvFile.Read(path);

        Assert.Equal("postgres://stuff:s3cr3t=x@localhost/stuff", values["DATABASE_URL"]);
        Assert.Equal("/stuff", values["STUFF_BASE_PATH"]);
        Assert.Equal("Warning", values["Logging:LogLevel:Default"]);
        Assert.Equal("", values["EMPTY"]);
    }

    [Theory]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.OtherWrite)]
    public void A_file_other_users_can_read_or_write_is_refused_with_the_fix(UnixFileMode extra)
    {
        var path = Write("DATABASE_URL=postgres://u:hunter2-value@h/d", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | extra);

        var error = Assert.Throws<UserFacingException>(() => EnvFile.Read(path));

        Assert.Contains($"chmod 0640 {path}", error.Message);
        Assert.Contains($"chown root:stuff {path}", error.Message);
        Assert.DoesNotContain("hunter2-value", error.Message);
    }

    [Theory]
    [InlineData("DATABASE_URL postgres://u:secret@h/d", 1)]
    [InlineData("# ok\n=secret", 2)]
    [InlineData("KEY=\"secret", 1)]
    [InlineData("BAD KEY=secret", 1)]
    public void Malformed_lines_are_named_by_number_without_their_value(string text, int line)
    {
        var path = Write(text);

        var error = Assert.Throws<UserFacingException>(() => EnvFile.Read(path));

        Assert.Contains($"line {line}", error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var error = Assert.Throws<UserFacingException>(() => EnvFile.Read(Path.Combine(_directory, "absent.env")));

        Assert.Contains("absent.env", error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Theory]
    [InlineData("/work/site/src/Stuff/bin/Release/net10.0/")]
    [InlineData("/opt/stuffing/bin/")]
    [InlineData("/home/dev/opt/stuff/bin/")]
    public void Only_the_installed_executable_reads_the_installed_settings_by_itself(string baseDirectory)
    {
        Assert.Null(EnvFile.InstalledDefault(baseDirectory));
    }
}
