using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;

namespace Stuff.Hosting;

/// <summary>
/// AllowedHosts guards every page, but not the probes: a balancer, Kubernetes or setup asks for
/// /readyz by address (Host: 10.0.0.11:5080), never by the site's name. The framework's own host
/// filter runs before everything, so it is told to let every host through; the same middleware
/// runs again around the site's pages with AllowedHosts, as options of its own name.
/// </summary>
public static class SiteHostFiltering
{
    private const string Name = "site";

    public static IServiceCollection AddSiteHostFiltering(this IServiceCollection services)
    {
        services.Configure<HostFilteringOptions>(options => options.AllowedHosts = ["*"]);
        services.AddOptions<HostFilteringOptions>(Name).Configure<IConfiguration>((options, configuration) =>
            // As the framework reads it: hosts separated by ';', every host when there are none.
            options.AllowedHosts = configuration["AllowedHosts"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } hosts
                ? hosts
                : ["*"]);
        return services;
    }

    public static IApplicationBuilder UseSiteHostFiltering(this IApplicationBuilder app) =>
        app.UseMiddleware<HostFilteringMiddleware>(new Named(app.ApplicationServices.GetRequiredService<IOptionsMonitor<HostFilteringOptions>>()));

    /// <summary>The site's named options, as the one set the middleware asks for.</summary>
    private sealed class Named(IOptionsMonitor<HostFilteringOptions> options) : IOptionsMonitor<HostFilteringOptions>
    {
        public HostFilteringOptions CurrentValue => options.Get(Name);

        public HostFilteringOptions Get(string? name) => options.Get(Name);

        public IDisposable? OnChange(Action<HostFilteringOptions, string?> listener) =>
            options.OnChange((changed, name) =>
            {
                if (name == Name) listener(changed, name);
            });
    }
}
