using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Stuff.Data;
using Stuff.Hosting;

namespace Stuff.Tests.Data;

/// <summary>
/// EF Core's check against two operations at once on one context is on where code is written
/// (Development) and off where the site serves, where it cost a tenth or more of the list page's
/// processor time (docs/decisions/0015).
/// </summary>
public sealed class ThreadSafetyChecksTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stuff-checks-").FullName;

    [Theory]
    [InlineData("Development", true)]
    [InlineData("Production", false)]
    [InlineData("Staging", false)]
    public async Task Contexts_check_thread_safety_in_development_only(string environment, bool checks)
    {
        await using var app = StuffHost.BuildForCommand(verbose: false, new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["DATABASE_URL"] = "sqlite://" + Path.Combine(_directory, "stuff.db"),
            ["STUFF_DATA_DIR"] = _directory,
        });
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        var options = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>();
        Assert.NotNull(options);
        Assert.Equal(checks, options.ThreadSafetyChecksEnabled);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
