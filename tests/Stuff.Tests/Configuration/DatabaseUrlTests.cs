using Npgsql;
using Stuff.Configuration;

namespace Stuff.Tests.Configuration;

public sealed class DatabaseUrlTests
{
    [Fact]
    public void An_empty_setting_means_the_embedded_file_in_the_data_directory()
    {
        var url = DatabaseUrl.Parse("", "/var/lib/stuff");

        Assert.Equal(DatabaseProvider.Sqlite, url.Provider);
        Assert.Equal("/var/lib/stuff/stuff.db", url.SqlitePath);
    }

    [Theory]
    [InlineData("sqlite:///srv/data/stuff.db", "/srv/data/stuff.db")]
    [InlineData("sqlite:/srv/data/stuff.db", "/srv/data/stuff.db")]
    public void Sqlite_urls_name_a_file(string value, string path) =>
        Assert.Equal(path, DatabaseUrl.Parse(value, "/unused").SqlitePath);

    [Fact]
    public void Postgres_urls_become_npgsql_connection_strings_and_never_show_the_password()
    {
        var url = DatabaseUrl.Parse("postgres://stuff:p%40ss%3Aword@db.example.org:6543/stuff_prod?sslmode=require", "/unused");

        Assert.Equal(DatabaseProvider.Postgres, url.Provider);
        var b = new NpgsqlConnectionStringBuilder(url.ConnectionString);
        Assert.Equal(("db.example.org", 6543, "stuff_prod", "stuff", "p@ss:word", SslMode.Require), (b.Host, b.Port, b.Database, b.Username, b.Password, b.SslMode));
        Assert.Equal("postgres://stuff@db.example.org:6543/stuff_prod", url.ToString());
        Assert.DoesNotContain("word", url.ToString());
    }

    [Fact]
    public void The_port_defaults_to_5432() =>
        Assert.Equal(5432, new NpgsqlConnectionStringBuilder(DatabaseUrl.Parse("postgresql://u:p@localhost/db", "/").ConnectionString).Port);

    [Theory]
    [InlineData("mysql://u:secret@host/db")]
    [InlineData("postgres://u:secret@host/")]
    [InlineData("postgres://u:secret@/db")]
    [InlineData("postgres://u:secret@host/db?nosuchoption=1")]
    [InlineData("not a url secret")]
    [InlineData("sqlite://")]
    public void Malformed_urls_are_refused_without_echoing_them(string value)
    {
        var error = Assert.Throws<FormatException>(() => DatabaseUrl.Parse(value, "/"));

        Assert.StartsWith("DATABASE_URL", error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }
}
