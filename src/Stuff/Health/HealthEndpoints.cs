using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Stuff.Data;

namespace Stuff.Health;

/// <summary>/healthz says the process answers; /readyz says it can serve: database reachable, schema up to date.</summary>
public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static IServiceCollection AddStuffHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: [Ready])
            .AddCheck<MigrationsCheck>("migrations", tags: [Ready]);
        return services;
    }

    public const string LivePath = "/healthz";
    public const string ReadyPath = "/readyz";

    /// <summary>True for a request to either probe, under the base path or not.</summary>
    public static bool IsProbe(PathString path, string basePath) =>
        path.StartsWithSegments(basePath, StringComparison.Ordinal, out var rest) && (rest == LivePath || rest == ReadyPath);

    public static IEndpointRouteBuilder MapStuffHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson });
        endpoints.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = WriteJson,
            ResultStatusCodes = { [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable },
        });
        return endpoints;
    }

    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status == HealthStatus.Healthy ? "ok" : "failing",
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status == HealthStatus.Healthy ? "ok" : "failing", detail = e.Value.Description }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, cancellationToken: context.RequestAborted);
    }

    /// <summary>Opens a connection and runs a trivial query.</summary>
    private sealed class DatabaseCheck(AppDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                // Opening the connection (CanConnect would hide the error that tells the causes apart).
                await db.Database.OpenConnectionAsync(cancellationToken);
                await db.Database.CloseConnectionAsync();
                return HealthCheckResult.Healthy("reachable");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The same verdicts as `stuff doctor`, by code only: the detail is public.
                return HealthCheckResult.Unhealthy("cannot connect to the database: " + (DatabaseProblem.From(e)?.Code ?? "error"));
            }
        }
    }

    /// <summary>Fails while migrations are pending; the fix is `stuff migrate`.</summary>
    private sealed class MigrationsCheck(AppDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                return pending.Count == 0
                    ? HealthCheckResult.Healthy("up to date")
                    : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) pending; run: stuff migrate");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("cannot read the migration history: " + (DatabaseProblem.From(e)?.Code ?? "error"));
            }
        }
    }
}
