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
            .. new[] { ("Stuff", "stuff", Permissions.StuffModel), ("Users", "users", Permissions.UserModel), ("Groups", "groups", Permissions.GroupModel) }
                .Where(s => grant.CanSee(s.Item3) || grant.Has(Permissions.For(s.Item3, Permissions.Add)))
                .Select(s => new Section(s.Item1, s.Item2, grant.Has(Permissions.For(s.Item3, Permissions.Add)))),
        ];
        Recent = await db.Log.AsNoTracking().Where(e => e.UserId == grant.UserId)
            .OrderByDescending(e => e.ActionTime).ThenByDescending(e => e.Id)
            .Take(RecentCount).ToListAsync(cancellationToken);
    }

    /// <summary>An entry's link: the object's history, which works whether or not the object still exists.</summary>
    public static string HistoryHref(LogEntry entry) => entry.ObjectType switch
    {
        LogEntry.StuffType => $"~/admin/stuff/{entry.ObjectId}/history",
        LogEntry.UserType => $"~/admin/users/{Uri.EscapeDataString(entry.ObjectId)}/history",
        _ => $"~/admin/groups/{Uri.EscapeDataString(entry.ObjectId)}/history",
    };
}
