using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Users;

/// <summary>The list of users: search over names and email, filters on staff, superuser and active.</summary>
public sealed class IndexModel(AppDbContext db, AdminAccess access) : PageModel
{
    /// <summary>The filters, by query parameter: ?staff=yes, ?superuser=no, ?active=yes.</summary>
    public static readonly IReadOnlyList<(string Key, string Label)> Filters = [("staff", "Staff"), ("superuser", "Superuser"), ("active", "Active")];

    public ListPage<AppUser> Rows { get; private set; } = new();
    public string? Search { get; private set; }
    public Dictionary<string, bool?> Filter { get; } = [];
    public Grant Grant { get; private set; } = Grant.None;

    public async Task<IActionResult> OnGetAsync(string? q, [FromQuery(Name = "p")] int? p, CancellationToken cancellationToken)
    {
        ModelState.Clear();
        Grant = await access.GetAsync(User, cancellationToken);
        if (!Grant.CanSee(Permissions.UserModel)) return Forbid();

        var query = db.Users.AsNoTracking();
        Search = q?.Trim();
        if (!string.IsNullOrEmpty(Search))
        {
            var pattern = LikePattern.Contains(Search);
            query = query.Where(u => EF.Functions.Like(u.UserName!.ToLower(), pattern, LikePattern.Escape)
                || EF.Functions.Like(u.Email!.ToLower(), pattern, LikePattern.Escape)
                || EF.Functions.Like(u.FirstName!.ToLower(), pattern, LikePattern.Escape)
                || EF.Functions.Like(u.LastName!.ToLower(), pattern, LikePattern.Escape));
        }
        foreach (var (key, _) in Filters)
        {
            bool? value = Request.Query[key].ToString() switch { "yes" => true, "no" => false, _ => null };
            Filter[key] = value;
            if (value is not { } wanted) continue;
            query = key switch
            {
                "staff" => query.Where(u => u.IsStaff == wanted),
                "superuser" => query.Where(u => u.IsSuperuser == wanted),
                _ => query.Where(u => u.IsActive == wanted),
            };
        }
        Rows = await query.OrderBy(u => u.UserName).ThenBy(u => u.Id).ToListPageAsync(p, "users", cancellationToken);
        return Page();
    }
}
