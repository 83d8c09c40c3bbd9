using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Respawn;
using Stuff.Configuration;
using Stuff.Data;

namespace Stuff.Tests.Infrastructure;

/// <summary>
/// The real site in memory, in Production mode, on a real database of the given provider.
/// One per test collection; <see cref="ResetAsync"/> empties it before each test.
/// </summary>
public abstract class SiteFactory(DatabaseProvider provider) : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Password = "a long enough test passphrase";

    private TestDatabase? _database;
    private Respawner? _respawner;

    public DatabaseProvider Provider => provider;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("stuff-test-").FullName;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>
    /// The site's clock: it starts at the real time and moves a millisecond each time it is read,
    /// so that time stamps are ordered as the writes were without a test sleeping; tests that
    /// need time to pass advance it.
    /// </summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };

    async Task IAsyncLifetime.InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider, DataDirectory);
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().MigrateStuffAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("DATABASE_URL", Database.Url);
        builder.UseSetting("STUFF_DATA_DIR", DataDirectory);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>A client that keeps cookies and does not follow redirects, so tests see each one.</summary>
    public HttpClient Client(WebApplicationFactory<Program>? site = null) =>
        (site ?? this).CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            BaseAddress = new Uri("https://localhost/"),
        });

    /// <summary>Empties every table but the migrations' and forgets failed logins, so no test sees another's data.</summary>
    public async Task ResetAsync()
    {
        Services.GetRequiredService<Stuff.Accounts.LoginThrottle>().Reset();
        //#if (sample)
        // The tables are emptied behind the site's back, so the list's remembered count goes too.
        Services.GetRequiredService<StuffTableSize>().Forget();
        //#endif
        if (provider == DatabaseProvider.Postgres)
        {
            await using var connection = new NpgsqlConnection(DatabaseUrl.Parse(Database.Url, "/").ConnectionString);
            await connection.OpenAsync();
            _respawner ??= await Respawner.CreateAsync(connection, new RespawnerOptions
            {
                DbAdapter = DbAdapter.Postgres,
                SchemasToInclude = ["public"],
                TablesToIgnore = [new("__EFMigrationsHistory")],
            });
            await _respawner.ResetAsync(connection);
            return;
        }

        // Respawn has no SQLite adapter: the model's tables, dependents first.
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var tables = db.Model.GetEntityTypes()
            .OrderByDescending(t => t.GetForeignKeys().Count())
            .Select(t => t.GetTableName())
            .Distinct()
            .ToList();
        foreach (var table in tables)
#pragma warning disable EF1002 // Table names come from the model, not from input.
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM \"{table}\"");
#pragma warning restore EF1002
    }

    /// <summary>Creates a real user through Identity, with <see cref="Password"/> unless given another.</summary>
    public async Task<AppUser> CreateUserAsync(string userName = "alice", bool superuser = false, string password = Password)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = userName, Email = $"{userName}@example.org", IsStaff = superuser, IsSuperuser = superuser, DateJoined = Clock.GetUtcNow().UtcDateTime };
        var result = await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return user;
    }

    //#if (sample)
    /// <summary>Adds a row directly, for tests that need data to exist.</summary>
    public async Task<StuffItem> AddStuffAsync(string junk = "a junk", string things = "some things", int someNum = 42)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var item = new StuffItem { Junk = junk, Things = things, SomeNum = someNum };
        db.Stuff.Add(item);
        await db.SaveChangesAsync();
        return item;
    }

    //#endif

    public async Task<T> QueryAsync<T>(Func<AppDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }
}

public sealed class SqliteSite() : SiteFactory(DatabaseProvider.Sqlite);

public sealed class PostgresSite() : SiteFactory(DatabaseProvider.Postgres);

[CollectionDefinition(Name)]
public sealed class SqliteCollection : ICollectionFixture<SqliteSite>
{
    public const string Name = "site on SQLite";
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresSite>
{
    public const string Name = "site on PostgreSQL";
}

/// <summary>Base of every test class that uses the site: each test starts from empty tables.</summary>
public abstract class SiteTests(SiteFactory site) : IAsyncLifetime
{
    protected SiteFactory Site { get; } = site;

    public virtual Task InitializeAsync() => Site.ResetAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;
}
