using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Stuff.Data;

/// <summary>
/// The one DbContext. Each database provider has a subclass that owns its migrations
/// (see <see cref="SqliteDbContext"/> and <see cref="PostgresDbContext"/>); pages and
/// commands only ever ask for AppDbContext.
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    //#if (sample)
    public DbSet<StuffItem> Stuff => Set<StuffItem>();

    //#endif

    /// <summary>The history of changes made through the site (see <see cref="History"/>).</summary>
    public DbSet<LogEntry> Log => Set<LogEntry>();

    /// <summary>The data-protection key ring, when several app hosts share it (STUFF_KEYS=database).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>The site's clock (a fake one in tests), for the time stamps and the history.</summary>
    public TimeProvider Clock => AppService<TimeProvider>() ?? TimeProvider.System;

    /// <summary>A service of the app that owns this context; none for a context made outside it.</summary>
    private T? AppService<T>() where T : class =>
        this.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<T>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        builder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
        builder.Entity<AppUser>(user =>
        {
            user.Property(u => u.FirstName).HasMaxLength(150);
            user.Property(u => u.LastName).HasMaxLength(150);
        });
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var afterSave = BeforeSave();
        var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        afterSave();
        return saved;
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        var afterSave = BeforeSave();
        var saved = base.SaveChanges(acceptAllChangesOnSuccess);
        afterSave();
        return saved;
    }

    /// <summary>Stamps the entries about to be saved; returns what has to follow once the save succeeded.</summary>
    private Action BeforeSave()
    {
        Stamp();
        //#if (sample)
        // Stuff added or deleted puts the list's remembered count out of date.
        if (ChangeTracker.Entries<StuffItem>().Any(e => e.State is EntityState.Added or EntityState.Deleted))
            return () => AppService<StuffTableSize>()?.Forget();
        //#endif
        return () => { };
    }

    /// <summary>Times and versions for every entity that has them, from one clock reading per save.</summary>
    private void Stamp()
    {
        var now = Timestamps.Truncate(Clock.GetUtcNow().UtcDateTime);
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified)) continue;
            var added = entry.State == EntityState.Added;
            if (entry.Entity is ITimestamped stamped)
            {
                if (!added) stamped.UpdatedAt = now;
                else
                {
                    if (stamped.CreatedAt == default) stamped.CreatedAt = now;
                    if (stamped.UpdatedAt == default) stamped.UpdatedAt = now;
                }
            }
            if (entry.Entity is IVersioned versioned)
            {
                if (!added) versioned.Version++;
                else if (versioned.Version == 0) versioned.Version = 1;
            }
        }
    }
}

/// <summary>Times as both databases store them: UTC, to the microsecond (PostgreSQL's precision).</summary>
public static class Timestamps
{
    public static DateTime Truncate(DateTime time) =>
        new(time.Ticks - time.Ticks % (TimeSpan.TicksPerMillisecond / 1000), DateTimeKind.Utc);
}

/// <summary>AppDbContext on SQLite; owns Data/Migrations/Sqlite.</summary>
public sealed class SqliteDbContext(DbContextOptions<SqliteDbContext> options) : AppDbContext(options);

/// <summary>AppDbContext on PostgreSQL; owns Data/Migrations/Postgres.</summary>
public sealed class PostgresDbContext(DbContextOptions<PostgresDbContext> options) : AppDbContext(options);
