using Stuff.Configuration;

namespace Stuff.Tests.Cli;

public sealed class CheckCommandTests() : CliTests(DatabaseProvider.Sqlite)
{
    [Fact]
    public async Task A_good_configuration_has_no_problems()
    {
        await MigratedAsync();

        var result = await Stuff.RunAsync("check");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("No problems found.", result.Output);
    }

    [Fact]
    public async Task Every_bad_setting_is_listed()
    {
        var result = await Stuff.With("DATABASE_URL", "mysql://root:topsecret@db/stuff").With("STUFF_BASE_PATH", "/a/../b").RunAsync("check");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("2 problem(s) found:", result.Error);
        Assert.Contains("DATABASE_URL is not a database URL", result.Error);
        Assert.Contains("STUFF_BASE_PATH must be empty or a path such as /stuff", result.Error);
        Assert.DoesNotContain("topsecret", result.Error + result.Output);
    }

    [Fact]
    public async Task Deploy_checks_pass_for_production_settings_without_touching_the_network()
    {
        var result = await Stuff.With("AllowedHosts", "example.org")
            .With("DATABASE_URL", "postgres://stuff:a-long-random-database-password@127.0.0.1:1/stuff")
            .RunAsync("check", "--deploy");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok       Environment: Production", result.Output);
        Assert.Contains("ok       Login cookie: stuff.auth: HttpOnly, SameSite=Lax", result.Output);
        Assert.Contains("ok       Antiforgery cookie:", result.Output);
        Assert.Contains("ok       Forwarded headers: trusted only from", result.Output);
        Assert.Contains("ok       Password rules: at least 12 characters", result.Output);
        Assert.Contains(" 0 failed", result.Output);
        Assert.DoesNotContain("a-long-random-database-password", result.Output);
    }

    [Fact]
    public async Task Deploy_checks_fail_development_open_hosts_and_a_short_password_with_fixes()
    {
        var result = await Stuff.With("ASPNETCORE_ENVIRONMENT", "Development").With("AllowedHosts", "*")
            .With("DATABASE_URL", "postgres://stuff:hunter2@127.0.0.1:1/stuff")
            .RunAsync("check", "--deploy");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("FAILED   Environment: Development", result.Output);
        Assert.Contains("unset ASPNETCORE_ENVIRONMENT", result.Output);
        Assert.Contains("FAILED   Allowed hosts: AllowedHosts is '*'", result.Output);
        Assert.Contains("AllowedHosts=example.org", result.Output);
        Assert.Contains("FAILED   Secrets: the database password is short (7 characters)", result.Output);
        Assert.DoesNotContain("hunter2", result.Output + result.Error);
    }

    [Fact]
    public async Task Deploy_checks_report_malformed_settings_as_a_failure()
    {
        var result = await Stuff.With("STUFF_BASE_PATH", "/a/../b").RunAsync("check", "--deploy");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("FAILED   Settings: malformed", result.Output);
        Assert.Contains("STUFF_BASE_PATH must be empty or a path", result.Output);
    }

    [Fact]
    public async Task Pending_migrations_are_a_problem_with_the_fix()
    {
        var result = await Stuff.RunAsync("check");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("run: stuff migrate", result.Error);
    }

    [Fact]
    public async Task Other_commands_refuse_bad_settings_in_one_line()
    {
        var result = await Stuff.With("DATABASE_URL", "postgres://u:topsecret@/nodb").RunAsync("migrate");

        AssertCleanFailure(result, "stuff: error: DATABASE_URL is not a database URL");
        Assert.DoesNotContain("topsecret", result.Error);
    }

    [Fact]
    public async Task Deploy_checks_warn_of_a_key_ring_in_the_database_without_its_certificate_and_name_a_bad_one()
    {
        var production = Stuff.With("AllowedHosts", "example.org").With("STUFF_KEYS", "database")
            .With("DATABASE_URL", "postgres://stuff:a-long-random-database-password@127.0.0.1:1/stuff");

        var plain = await production.RunAsync("check", "--deploy");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Contains("warning  Data-protection keys: in the database (STUFF_KEYS=database), unencrypted", plain.Output);
        Assert.Contains("can take the keys and forge login cookies", plain.Output);
        Assert.Contains($"{KeyRingCertificate.Setting}=/etc/stuff/keys.pem", plain.Output);

        var certificate = TestCertificates.WriteKeyRingPem(Path.Combine(Directory.CreateTempSubdirectory("stuff-keys-").FullName, "keys.pem"), "CN=our key ring");
        var encrypted = await production.With(KeyRingCertificate.Setting, certificate).RunAsync("check", "--deploy");
        Assert.True(encrypted.ExitCode == 0, encrypted.ToString());
        Assert.Contains("ok       Data-protection keys: in the database (STUFF_KEYS=database), encrypted with CN=our key ring", encrypted.Output);

        // A file that is not a certificate with its key is a settings problem that names it, at every command.
        var missing = await production.With(KeyRingCertificate.Setting, certificate + ".missing").RunAsync("check", "--deploy");
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains($"{KeyRingCertificate.Setting}: {certificate}.missing does not exist.", missing.Output);
        await File.WriteAllTextAsync(certificate, "not a certificate\n");
        var broken = await production.With(KeyRingCertificate.Setting, certificate).RunAsync("check");
        Assert.True(broken.ExitCode == 1, broken.ToString());
        Assert.Contains($"{KeyRingCertificate.Setting}: {certificate} is not a PEM file with a certificate and its private key", broken.Error);
        Assert.DoesNotContain("   at ", broken.Error + broken.Output);
        Directory.Delete(Path.GetDirectoryName(certificate)!, recursive: true);
    }

    [Fact]
    public async Task The_command_that_makes_a_key_ring_certificate_makes_one_the_app_takes_as_the_readme_shows_it()
    {
        var directory = Directory.CreateTempSubdirectory("stuff-keys-").FullName;
        try
        {
            var made = await Processes.RunAsync("bash", ["-c", KeyRingCertificate.MakeCommand("keys.pem")], workingDirectory: directory);
            Assert.True(made.ExitCode == 0, made.ToString());
            var path = Path.Combine(directory, "keys.pem");
            Assert.True(KeyRingCertificate.TryLoad(path, out var certificate, out var problem), problem);
            certificate!.Dispose();
            Assert.Equal("0640", FileModes.Octal(File.GetUnixFileMode(path)));
            Assert.Equal(["keys.pem"], Directory.GetFiles(directory).Select(Path.GetFileName));
            Assert.Contains(KeyRingCertificate.MakeCommand("keys.pem"), File.ReadAllText(Path.Combine(Repository.Root, "README.md")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
