using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin;

/// <summary>The admin's front page: the lists this user may open, and their own latest changes.</summary>
public sealed class IndexModel(AppDbContext db, AdminAccess access) : PageModel
{
    public const int RecentCount = 10;

    public sealed record Section(string Label, string Href, bool CanAdd);

    public IReadOnlyList<Section> Sections { get; private set; } = [];
    public IReadOnlyList<LogEntry> Recent { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var grant = await access.GetAsync(User, cancellationToken);
        Sections =
        [
            .. SiteModels.All
                .Where(m => grant.CanSee(m.Name) || grant.Has(Permissions.For(m.Name, Permissions.Add)))
                .Select(m => new Section(m.Label, m.Section, grant.Has(Permissions.For(m.Name, Permissions.Add)))),
        ];
        Recent = await db.Log.AsNoTracking().Where(e => e.UserId == grant.UserId)
            .OrderByDescending(e => e.ActionTime).ThenByDescending(e => e.Id)
            .Take(RecentCount).ToListAsync(cancellationToken);
    }

    /// <summary>An entry's link: the object's history, which works whether or not the object still exists.</summary>
    public static string? HistoryHref(LogEntry entry) => SiteModels.Named(entry.ObjectType)?.HistoryHref(entry.ObjectId);
}
