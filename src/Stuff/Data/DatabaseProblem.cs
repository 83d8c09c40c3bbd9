using System.Net.Sockets;
using Npgsql;

namespace Stuff.Data;

/// <summary>What kept a connection from opening, told apart by error code rather than by wording.</summary>
public enum DatabaseFault
{
    /// <summary>Nothing accepts connections at the address: the server is not running, or listens elsewhere.</summary>
    NotRunning,
    /// <summary>The host name does not resolve or the network does not reach it.</summary>
    Unreachable,
    /// <summary>SQLSTATE 28P01: the password is wrong, or (with password authentication) the role does not exist.</summary>
    PasswordFailed,
    /// <summary>SQLSTATE 28000 naming the role: the role does not exist.</summary>
    RoleMissing,
    /// <summary>SQLSTATE 28000 otherwise: pg_hba.conf has no line for this connection, rejects it, or asks for ident/peer.</summary>
    AccessRejected,
    /// <summary>SQLSTATE 3D000: the database does not exist.</summary>
    DatabaseMissing,
    /// <summary>SQLSTATE 57P03: the server is starting up, shutting down or recovering.</summary>
    Starting,
    /// <summary>SQLSTATE 53300: every connection slot is taken.</summary>
    TooManyConnections,
    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>
/// One classification of connection failures, used by /readyz and by `stuff doctor`, so that a
/// load balancer and the person at the server are told the same thing.
/// </summary>
public sealed record DatabaseProblem(DatabaseFault Fault, string Cause)
{
    /// <summary>A short, stable name for scripts and /readyz: not-running, password-failed ...</summary>
    public string Code => Fault switch
    {
        DatabaseFault.NotRunning => "not-running",
        DatabaseFault.Unreachable => "unreachable",
        DatabaseFault.PasswordFailed => "password-failed",
        DatabaseFault.RoleMissing => "role-missing",
        DatabaseFault.AccessRejected => "access-rejected",
        DatabaseFault.DatabaseMissing => "database-missing",
        DatabaseFault.Starting => "starting",
        DatabaseFault.TooManyConnections => "too-many-connections",
        _ => "error",
    };

    /// <summary>
    /// The database is out of reach (not running, restarting, refusing the connection, or the
    /// connection broke), as opposed to a query it rejected; null for anything else.
    /// </summary>
    public static DatabaseProblem? Outage(Exception exception)
    {
        if (From(exception) is { Fault: not DatabaseFault.Other } problem) return problem;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: var state } && (state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal)))
                return new(DatabaseFault.Other, "the server ended the connection (" + state + ")");
            if (e is NpgsqlException { IsTransient: true } && e is not PostgresException)
                return new(DatabaseFault.NotRunning, "the connection to the database broke (" + e.Message + ")");
        }
        return null;
    }

    /// <summary>Null when the exception is not a connection failure this knows.</summary>
    public static DatabaseProblem? From(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    return FromSqlState(pg.SqlState, pg.MessageText);
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return new(DatabaseFault.NotRunning, "nothing accepts connections at the database's address (connection refused)");
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData }:
                    return new(DatabaseFault.Unreachable, "the database's host name does not resolve");
                case SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable } socket:
                    return new(DatabaseFault.Unreachable, $"the database's host cannot be reached ({socket.SocketErrorCode})");
                case TimeoutException or NpgsqlException { InnerException: TimeoutException }:
                    return new(DatabaseFault.Unreachable, "the connection timed out");
            }
        }
        return exception is NpgsqlException or System.Data.Common.DbException
            ? new(DatabaseFault.Other, exception.Message)
            : null;
    }

    public static DatabaseProblem FromSqlState(string sqlState, string message) => sqlState switch
    {
        PostgresErrorCodes.InvalidPassword => new(DatabaseFault.PasswordFailed, "the server refused the password (" + message + ")"),
        PostgresErrorCodes.InvalidAuthorizationSpecification when message.Contains("role", StringComparison.OrdinalIgnoreCase)
            && message.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
            => new(DatabaseFault.RoleMissing, "the role does not exist (" + message + ")"),
        PostgresErrorCodes.InvalidAuthorizationSpecification => new(DatabaseFault.AccessRejected, "pg_hba.conf does not let this connection in (" + message + ")"),
        PostgresErrorCodes.InvalidCatalogName => new(DatabaseFault.DatabaseMissing, "the database does not exist (" + message + ")"),
        PostgresErrorCodes.CannotConnectNow => new(DatabaseFault.Starting, "the server is starting up or shutting down (" + message + ")"),
        PostgresErrorCodes.TooManyConnections => new(DatabaseFault.TooManyConnections, "every connection slot is taken (" + message + ")"),
        _ => new(DatabaseFault.Other, $"{sqlState}: {message}"),
    };
}
