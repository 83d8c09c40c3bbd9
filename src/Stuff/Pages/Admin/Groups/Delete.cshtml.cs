using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Groups;

/// <summary>Deletes a group after a confirmation that says how many members lose its permissions.</summary>
public sealed class DeleteModel(AppDbContext db, AdminAccess access) : PageModel
{
    public string Id { get; private set; } = "";
    public string Name { get; private set; } = "";
    public int Members { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        if (!(await access.GetAsync(User, cancellationToken)).Has(Permissions.GroupDelete)) return Forbid();
        var group = await db.Roles.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (group is null) return NotFound();
        (Id, Name) = (id, group.Name ?? "");
        Members = await db.UserRoles.CountAsync(r => r.RoleId == id, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        if (!(await access.GetAsync(User, cancellationToken)).Has(Permissions.GroupDelete)) return Forbid();
        var group = await db.Roles.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (group is null) return NotFound();

        // Memberships and the group's permissions go with it (cascades).
        db.Roles.Remove(group);
        db.Record(User, LogEntry.GroupType, id, group.Name ?? id, LogAction.Deleted, History.DeletedMessage);
        await db.SaveChangesAsync(cancellationToken);

        TempData["Message"] = $"Deleted group “{group.Name}”.";
        return LocalRedirect(Url.Content("~/admin/groups"));
    }
}
