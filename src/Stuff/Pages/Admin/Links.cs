using Microsoft.AspNetCore.WebUtilities;

namespace Stuff.Pages.Admin;

public static class Links
{
    /// <summary>The current address's query string with some parameters replaced (or removed, for null).</summary>
    public static string With(this HttpRequest request, params (string Name, string? Value)[] changes)
    {
        var pairs = request.Query
            .Where(q => !changes.Any(c => string.Equals(q.Key, c.Name, StringComparison.OrdinalIgnoreCase)))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .ToList();
        pairs.AddRange(changes.Where(c => c.Value is not null).Select(c => new KeyValuePair<string, string?>(c.Name, c.Value)));
        // An empty result still needs "?" so the link drops the parameters instead of meaning "this page".
        return pairs.Count == 0 ? "?" : QueryHelpers.AddQueryString("", pairs);
    }
}
