using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Groups;

public sealed class AddModel(AppDbContext db, RoleManager<IdentityRole> roles, AdminAccess access, ILookupNormalizer normalizer) : PageModel
{
    [BindProperty]
    public GroupForm Form { get; set; } = new();

    public Choices PermissionChoices => ChoiceChecks.PermissionChoices($"{nameof(Form)}.{nameof(GroupForm.Permissions)}", Form.Permissions);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        (await access.GetAsync(User, cancellationToken)).Has(Accounts.Permissions.GroupAdd) ? Page() : Forbid();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!(await access.GetAsync(User, cancellationToken)).Has(Accounts.Permissions.GroupAdd)) return Forbid();
        var permissions = await Form.CheckAsync(db, normalizer, null, ModelState, nameof(Form), cancellationToken);
        if (!ModelState.IsValid) return Page();

        var name = Form.Name!.Trim();
        var group = new IdentityRole(name);
        await GroupForm.SetPermissionsAsync(db, group.Id, permissions, cancellationToken);
        db.Record(User, LogEntry.GroupType, group.Id, name, LogAction.Added, History.AddedMessage);
        // Identity names, stamps and saves the group, with its permissions and the history line.
        if (!await GroupForm.SavedAsync(roles.CreateAsync(group)))
        {
            // Someone took the name between the check and the save; the unique index refused it.
            db.ChangeTracker.Clear();
            ModelState.AddModelError($"{nameof(Form)}.{nameof(GroupForm.Name)}", GroupForm.TakenMessage(name));
            return Page();
        }

        TempData["Message"] = $"Added group “{name}”.";
        return LocalRedirect(Url.Content("~/admin/groups"));
    }
}
