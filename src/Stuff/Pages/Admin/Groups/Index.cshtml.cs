using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Groups;

public sealed class IndexModel(AppDbContext db, AdminAccess access) : PageModel
{
    public sealed record Row(string Id, string Name, int Members, int Permissions);

    public ListPage<Row> Rows { get; private set; } = new();
    public Grant Grant { get; private set; } = Grant.None;

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "p")] int? p, CancellationToken cancellationToken)
    {
        ModelState.Clear();
        Grant = await access.GetAsync(User, cancellationToken);
        if (!Grant.CanSee(Accounts.Permissions.GroupModel)) return Forbid();
        Rows = await db.Roles.AsNoTracking().OrderBy(r => r.Name).ThenBy(r => r.Id)
            .Select(r => new Row(r.Id, r.Name ?? "",
                db.UserRoles.Count(u => u.RoleId == r.Id),
                db.RoleClaims.Count(c => c.RoleId == r.Id && c.ClaimType == Accounts.Permissions.ClaimType)))
            .ToListPageAsync(p, "groups", cancellationToken);
        return Page();
    }
}
