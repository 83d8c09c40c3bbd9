using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Data;

namespace Stuff.Pages.Stuff;

/// <summary>The public list, a page at a time in a stable order.</summary>
public sealed class IndexModel(AppDbContext db) : PageModel
{
    public const int PageSize = 100;

    public IReadOnlyList<StuffItem> Items { get; private set; } = [];
    public int PageNumber { get; private set; } = 1;
    public int TotalCount { get; private set; }
    public int PageCount => Math.Max(1, (TotalCount + PageSize - 1) / PageSize);

    // "page" is also the route value Razor Pages uses for the page's own name, so the query
    // parameter is bound by name to a differently named argument.
    public async Task OnGetAsync([FromQuery(Name = "page")] int? page, CancellationToken cancellationToken)
    {
        TotalCount = await db.Stuff.CountAsync(cancellationToken);
        // A page past the end or below 1 shows the nearest real page rather than an error.
        PageNumber = Math.Clamp(page ?? 1, 1, PageCount);
        Items = await db.Stuff.AsNoTracking()
            .OrderBy(s => s.Id)
            .Skip((PageNumber - 1) * PageSize)
            .Take(PageSize)
            .ToListAsync(cancellationToken);
    }
}
