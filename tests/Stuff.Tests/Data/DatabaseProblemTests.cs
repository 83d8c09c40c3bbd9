using Npgsql;
using Stuff.Data;
using Stuff.Tests.Infrastructure;

namespace Stuff.Tests.Data;

/// <summary>Connection failures told apart by error code: real ones from the test cluster, and recorded ones from other hosts.</summary>
public sealed class DatabaseProblemTests
{
    private static async Task<DatabaseProblem> FailureAsync(Action<NpgsqlConnectionStringBuilder> change)
    {
        var builder = new NpgsqlConnectionStringBuilder(TestDatabase.AdminConnectionString()) { Pooling = false, Timeout = 5 };
        change(builder);
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => connection.OpenAsync());
        return DatabaseProblem.From(error) ?? throw new Xunit.Sdk.XunitException($"not classified: {error}");
    }

    [Fact]
    public async Task A_wrong_password_is_told_apart()
    {
        var problem = await FailureAsync(b => b.Password = "not the password");

        Assert.Equal(DatabaseFault.PasswordFailed, problem.Fault);
        Assert.Equal("password-failed", problem.Code);
        Assert.DoesNotContain("not the password", problem.Cause);
    }

    [Fact]
    public async Task A_missing_database_is_told_apart()
    {
        var problem = await FailureAsync(b => b.Database = "no_such_database_here");

        Assert.Equal(DatabaseFault.DatabaseMissing, problem.Fault);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_means_the_server_is_not_running()
    {
        var problem = await FailureAsync(b => b.Port = 1);

        Assert.Equal(DatabaseFault.NotRunning, problem.Fault);
    }

    [Theory]
    [InlineData("npgsql.password-failed.txt", DatabaseFault.PasswordFailed)]
    [InlineData("npgsql.role-does-not-exist.txt", DatabaseFault.RoleMissing)]
    [InlineData("npgsql.no-pg_hba-entry.txt", DatabaseFault.AccessRejected)]
    [InlineData("npgsql.ident-failed.txt", DatabaseFault.AccessRejected)]
    [InlineData("npgsql.database-does-not-exist.txt", DatabaseFault.DatabaseMissing)]
    public void Recorded_server_errors_are_classified_by_sqlstate(string fixture, DatabaseFault fault)
    {
        // "Npgsql.PostgresException (0x80004005): 28000: no pg_hba.conf entry for host ..."
        var line = Fixtures.Read(fixture).Split('\n').First(l => l.StartsWith("Npgsql.PostgresException", StringComparison.Ordinal));
        var rest = line[(line.IndexOf("): ", StringComparison.Ordinal) + 3)..];
        var sqlState = rest[..5];
        var message = rest[7..];

        Assert.Equal(fault, DatabaseProblem.FromSqlState(sqlState, message).Fault);
    }

    [Fact]
    public void A_refused_socket_inside_a_driver_error_means_not_running()
    {
        var error = new NpgsqlException("Failed to connect to 127.0.0.1:5432", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));

        Assert.Equal(DatabaseFault.NotRunning, DatabaseProblem.From(error)!.Fault);
    }
}
