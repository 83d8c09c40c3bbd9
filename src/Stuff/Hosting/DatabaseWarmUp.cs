using Microsoft.EntityFrameworkCore;
using Stuff.Data;

namespace Stuff.Hosting;

/// <summary>
/// Gets the database side of the first request ready while the web server is still starting.
/// The first request would otherwise build EF Core's services, load the model and open the first
/// connection itself (about a fifth of a second on two cores); started beside the server's own
/// start-up, on the other core, that work has mostly happened by the time a request arrives.
/// Nothing depends on it: a database that is down or not yet set up shows in /readyz and on the
/// pages, as before, and the first request that needs it pays what is left.
/// </summary>
public static class DatabaseWarmUp
{
    /// <summary>Starts the warm-up on the thread pool and returns at once; nothing waits for it, and it never fails.</summary>
    public static void Start(IServiceProvider services, CancellationToken stopping) =>
        _ = Task.Run(() => RunAsync(services, stopping), CancellationToken.None);

    private static async Task RunAsync(IServiceProvider services, CancellationToken stopping)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseWarmUp));
        try
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            // The context's services and its (compiled) model.
            _ = db.Model;
            // PostgreSQL: one connection into Npgsql's pool (authentication and type loading
            // included). An SQLite file is opened on demand in microseconds, and opening one
            // here would create an empty file where none was.
            if (db.Database.IsNpgsql())
            {
                await db.Database.OpenConnectionAsync(stopping);
                await db.Database.CloseConnectionAsync();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The requests that need the database report the problem; here it is only a detail.
            logger.LogDebug(e, "The database warm-up did not finish");
        }
    }
}
