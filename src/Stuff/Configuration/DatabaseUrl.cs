using Microsoft.Data.Sqlite;
using Npgsql;

namespace Stuff.Configuration;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>
/// A parsed DATABASE_URL. <see cref="ToString"/> never shows the password, so an instance
/// can be logged or printed safely.
/// </summary>
public sealed record DatabaseUrl(DatabaseProvider Provider, string ConnectionString, string Display)
{
    public const string Help = "expected postgres://user:password@host:5432/database or sqlite:///absolute/path/stuff.db";

    /// <summary>Parses the setting. An empty value means the embedded SQLite file in <paramref name="dataDirectory"/>.</summary>
    /// <exception cref="FormatException">The value is not a database URL; the message never contains the value itself.</exception>
    public static DatabaseUrl Parse(string? value, string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(value))
            return Sqlite(Path.Combine(dataDirectory, "stuff.db"));

        value = value.Trim();
        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = value["sqlite:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal)) path = path[2..];
            if (path.Length == 0 || path.Contains('?'))
                throw new FormatException($"DATABASE_URL has no SQLite file path ({Help}).");
            return Sqlite(Path.GetFullPath(path));
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
            throw new FormatException($"DATABASE_URL is not a database URL ({Help}).");

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (string.IsNullOrEmpty(uri.Host) || database.Length == 0 || database.Contains('/'))
            throw new FormatException($"DATABASE_URL must name a host and a database ({Help}).");

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = database,
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0) builder.Username = Uri.UnescapeDataString(userInfo[0]);
        if (userInfo.Length == 2) builder.Password = Uri.UnescapeDataString(userInfo[1]);

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            try
            {
                builder[key switch { "sslmode" => "SSL Mode", _ => key }] = val;
            }
            catch (ArgumentException)
            {
                throw new FormatException($"DATABASE_URL has an unknown option '{key}'.");
            }
        }

        var display = $"postgres://{(builder.Username is { } u ? Uri.EscapeDataString(u) + "@" : "")}{builder.Host}:{builder.Port}/{builder.Database}";
        return new DatabaseUrl(DatabaseProvider.Postgres, builder.ConnectionString, display);
    }

    private static DatabaseUrl Sqlite(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true };
        return new DatabaseUrl(DatabaseProvider.Sqlite, builder.ConnectionString, "sqlite://" + path);
    }

    /// <summary>The scratch database a restore drill loads a backup into: DATABASE_drill beside a PostgreSQL database, or the given SQLite file.</summary>
    public DatabaseUrl Scratch(string sqliteFile)
    {
        if (Provider == DatabaseProvider.Sqlite) return Sqlite(sqliteFile) with { ConnectionString = new SqliteConnectionStringBuilder { DataSource = sqliteFile, Pooling = false }.ConnectionString };
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        builder.Database += DrillSuffix;
        return new DatabaseUrl(Provider, builder.ConnectionString, Display + DrillSuffix);
    }

    public const string DrillSuffix = "_drill";

    /// <summary>The SQLite file, for the embedded provider.</summary>
    public string? SqlitePath => Provider == DatabaseProvider.Sqlite ? new SqliteConnectionStringBuilder(ConnectionString).DataSource : null;

    public override string ToString() => Display;
}
