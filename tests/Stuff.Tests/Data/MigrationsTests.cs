using Microsoft.EntityFrameworkCore;

namespace Stuff.Tests.Data;

/// <summary>Each provider's migrations end where the model is: a change to an entity comes with its migration.</summary>
public abstract class MigrationsTests(SiteFactory site) : SiteTests(site)
{
    [Fact]
    public async Task The_migrations_build_the_model_as_the_code_declares_it()
    {
        var pending = await Site.QueryAsync(db => Task.FromResult(db.Database.HasPendingModelChanges()));

        Assert.False(pending, $"The {Site.Provider} model has changes that no migration makes: run scripts/add-migration.sh with a name for them.");
    }
}

[Collection(SqliteCollection.Name)]
public sealed class MigrationsTestsOnSqlite(SqliteSite site) : MigrationsTests(site);

[Collection(PostgresCollection.Name)]
public sealed class MigrationsTestsOnPostgres(PostgresSite site) : MigrationsTests(site);
