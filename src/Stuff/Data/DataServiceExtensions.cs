using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Stuff.Configuration;

namespace Stuff.Data;

public static class DataServiceExtensions
{
    /// <summary>
    /// Registers AppDbContext on the provider that DATABASE_URL names. The choice is made when
    /// the first context is resolved, so every configuration source (and a test host's) counts.
    /// </summary>
    public static IServiceCollection AddStuffData(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<StuffOptions>>().Value.Database);
        services.TryAddSingleton(TimeProvider.System);
        // Pooled: a request reuses a context instead of building one (the list page's hot path).
        services.AddDbContextPool<SqliteDbContext>((sp, o) => o.UseSqlite(sp.GetRequiredService<DatabaseUrl>().ConnectionString).EnableThreadSafetyChecks(ThreadSafetyChecks(sp)));
        services.AddDbContextPool<PostgresDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<DatabaseUrl>().ConnectionString).EnableThreadSafetyChecks(ThreadSafetyChecks(sp)));
        //#if (sample)
        services.AddSingleton<StuffTableSize>();
        //#endif
        services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<DatabaseUrl>().Provider switch
        {
            DatabaseProvider.Postgres => sp.GetRequiredService<PostgresDbContext>(),
            _ => sp.GetRequiredService<SqliteDbContext>(),
        });
        return services;
    }

    /// <summary>
    /// EF Core's check that a context is not used by two operations at once (a missing await, a
    /// context shared between tasks) stops such code with a clear error. It costs two writes of
    /// an AsyncLocal for every row read, a tenth or more of the list page's processor time
    /// (docs/decisions/0015); so it is on in Development, where code is written and tried, and
    /// off where the site serves.
    /// </summary>
    private static bool ThreadSafetyChecks(IServiceProvider services) =>
        services.GetService<IHostEnvironment>()?.IsDevelopment() ?? true;

    /// <summary>A context of its own on <paramref name="database"/>, outside the app's pool (the doctor, the restore drill's scratch database).</summary>
    public static AppDbContext CreateContext(this DatabaseUrl database) => database.Provider == DatabaseProvider.Postgres
        ? new PostgresDbContext(new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql(database.ConnectionString).Options)
        : new SqliteDbContext(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite(database.ConnectionString).Options);

    /// <summary>Creates the directory of an embedded SQLite file; nothing to do for PostgreSQL.</summary>
    public static void EnsureSqliteDirectory(this DatabaseUrl database)
    {
        if (database.SqlitePath is { } path && Path.GetDirectoryName(path) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
    }

    /// <summary>Applies pending migrations; SQLite files are switched to WAL so readers never block the writer.</summary>
    public static async Task MigrateStuffAsync(this AppDbContext db, CancellationToken cancellationToken = default)
    {
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }
}

/// <summary>Lets `dotnet ef migrations add --context SqliteDbContext` build the model without running the app.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteDbContext>
{
    public SqliteDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Lets `dotnet ef migrations add --context PostgresDbContext` build the model without a server.</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresDbContext>
{
    public PostgresDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresDbContext>().UseNpgsql("Host=localhost;Database=stuff").Options);
}
