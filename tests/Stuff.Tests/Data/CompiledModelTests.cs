using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Stuff.Configuration;

namespace Stuff.Tests.Data;

/// <summary>
/// The site starts from the compiled models in Data/CompiledModels instead of building its model
/// from the code at start-up; these hold them to the code, so a change to an entity that is not
/// followed by scripts/compile-models.sh (or scripts/add-migration.sh) fails here.
/// </summary>
public abstract class CompiledModelTests(SiteFactory site) : SiteTests(site)
{
    private string Fix => $"the {Site.Provider} compiled model is out of step with the code: run scripts/compile-models.sh";

    [Fact]
    public async Task The_site_runs_on_the_compiled_model()
    {
        var model = await Site.QueryAsync(db => Task.FromResult(db.Model));

        var expected = Site.Provider == DatabaseProvider.Postgres ? "Stuff.Data.CompiledModels.Postgres" : "Stuff.Data.CompiledModels.Sqlite";
        Assert.Equal(expected, model.GetType().Namespace);
    }

    [Fact]
    public async Task The_compiled_model_declares_what_the_code_declares()
    {
        var (compiled, code) = await Site.QueryAsync(db => Task.FromResult((db.Model, db.GetService<IDesignTimeModel>().Model)));
        Assert.NotSame(compiled, code);

        var missing = Describe(code).Except(Describe(compiled)).ToList();
        var extra = Describe(compiled).Except(Describe(code)).ToList();

        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{Fix}.\nIn the code only:\n  {string.Join("\n  ", missing)}\nIn the compiled model only:\n  {string.Join("\n  ", extra)}");
    }

    /// <summary>
    /// One line per entity, property, key, foreign key, index and navigation, with their tables and
    /// columns: a compiled model keeps no relational model of its own to compare with a differ.
    /// </summary>
    private static HashSet<string> Describe(IModel model)
    {
        var lines = new HashSet<string>();
        foreach (var entity in model.GetEntityTypes())
        {
            var name = entity.Name;
            lines.Add($"{name}: table {entity.GetSchemaQualifiedTableName()}, CLR {entity.ClrType.FullName}, filter {entity.GetDeclaredQueryFilters().Count}");
            foreach (var property in entity.GetProperties())
                lines.Add($"{name}.{property.Name}: {property.ClrType.Name}, column {property.GetColumnName()} {property.GetColumnType()}, "
                    + $"nullable {property.IsNullable}, max {property.GetMaxLength()}, concurrency {property.IsConcurrencyToken}, "
                    + $"generated {property.ValueGenerated}, converter {property.GetValueConverter()?.GetType().Name}");
            foreach (var key in entity.GetKeys())
                lines.Add($"{name} key ({string.Join(", ", key.Properties.Select(p => p.Name))}), primary {key.IsPrimaryKey()}");
            foreach (var foreignKey in entity.GetForeignKeys())
                lines.Add($"{name} foreign key ({string.Join(", ", foreignKey.Properties.Select(p => p.Name))}) to {foreignKey.PrincipalEntityType.Name}, "
                    + $"delete {foreignKey.DeleteBehavior}, required {foreignKey.IsRequired}");
            foreach (var index in entity.GetIndexes())
                lines.Add($"{name} index {index.GetDatabaseName()} ({string.Join(", ", index.Properties.Select(p => p.Name))}), unique {index.IsUnique}, filter {index.GetFilter()}");
            foreach (var navigation in entity.GetNavigations())
                lines.Add($"{name} navigation {navigation.Name} to {navigation.TargetEntityType.Name}");
        }
        return lines;
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CompiledModelTestsOnSqlite(SqliteSite site) : CompiledModelTests(site);

[Collection(PostgresCollection.Name)]
public sealed class CompiledModelTestsOnPostgres(PostgresSite site) : CompiledModelTests(site);
