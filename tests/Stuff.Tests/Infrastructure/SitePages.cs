using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Stuff.Tests.Infrastructure;

/// <summary>A page of the app as its endpoints describe it: so that tests over every page cover a new one by themselves.</summary>
public sealed record SitePage(string Path, string Route, IReadOnlyList<string?> PostHandlers)
{
    /// <summary>Every Razor Page with its route ("/admin/users/{id}/change") and the names of its POST handlers (null: the unnamed one).</summary>
    public static async Task<IReadOnlyList<SitePage>> AllAsync(IServiceProvider services)
    {
        var loader = services.GetRequiredService<PageLoader>();
        var pages = new List<SitePage>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not { } page) continue;
            var compiled = await loader.LoadAsync(page, endpoint.Metadata);
            var posts = compiled.HandlerMethods.Where(h => string.Equals(h.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase)).Select(h => h.Name).ToList();
            pages.Add(new SitePage(page.ViewEnginePath, "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/'), posts));
        }
        return pages;
    }
}
