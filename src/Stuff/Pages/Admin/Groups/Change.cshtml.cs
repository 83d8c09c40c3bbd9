using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Groups;

/// <summary>Renames a group and sets its permissions; its members gain or lose them on their next request.</summary>
public sealed class ChangeModel(AppDbContext db, RoleManager<IdentityRole> roles, AdminAccess access, ILookupNormalizer normalizer) : PageModel
{
    [BindProperty]
    public GroupForm Form { get; set; } = new();

    public string Id { get; private set; } = "";
    public string CurrentName { get; private set; } = "";
    public Grant Grant { get; private set; } = Grant.None;

    public Choices PermissionChoices => ChoiceChecks.PermissionChoices($"{nameof(Form)}.{nameof(GroupForm.Permissions)}", Form.Permissions);

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        Grant = await access.GetAsync(User, cancellationToken);
        if (!Grant.Has(Accounts.Permissions.GroupChange)) return Forbid();
        var group = await db.Roles.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (group is null) return NotFound();
        (Id, CurrentName) = (id, group.Name ?? "");
        Form = new GroupForm
        {
            Name = group.Name,
            Permissions = [.. await db.RoleClaims.Where(c => c.RoleId == id && c.ClaimType == Accounts.Permissions.ClaimType).Select(c => c.ClaimValue!).ToListAsync(cancellationToken)],
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        Grant = await access.GetAsync(User, cancellationToken);
        if (!Grant.Has(Accounts.Permissions.GroupChange)) return Forbid();
        var group = await db.Roles.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (group is null) return NotFound();
        (Id, CurrentName) = (id, group.Name ?? "");
        var permissions = await Form.CheckAsync(db, normalizer, id, ModelState, nameof(Form), cancellationToken);
        if (!ModelState.IsValid) return Page();

        var changed = new List<string>();
        var name = Form.Name!.Trim();
        if (group.Name != name)
        {
            group.Name = name;
            changed.Add("name");
        }
        if (await GroupForm.SetPermissionsAsync(db, id, permissions, cancellationToken)) changed.Add("permissions");
        db.Record(User, LogEntry.GroupType, id, name, LogAction.Changed, History.ChangedMessage(changed));
        // Identity normalises the name, stamps and saves the group, with its permissions and the history line.
        if (!await GroupForm.SavedAsync(roles.UpdateAsync(group)))
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError($"{nameof(Form)}.{nameof(GroupForm.Name)}", GroupForm.TakenMessage(name));
            return Page();
        }

        TempData["Message"] = $"Changed group “{name}”.";
        return LocalRedirect(Url.Content("~/admin/groups"));
    }
}
