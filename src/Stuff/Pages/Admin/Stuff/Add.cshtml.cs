using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stuff.Accounts;
using Stuff.Data;
using Stuff.Pages.Stuff;

namespace Stuff.Pages.Admin.Stuff;

public sealed class AddModel(AppDbContext db, AdminAccess access) : PageModel
{
    [BindProperty]
    public StuffForm Form { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        (await access.GetAsync(User, cancellationToken)).Has(Permissions.StuffAdd) ? Page() : Forbid();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!(await access.GetAsync(User, cancellationToken)).Has(Permissions.StuffAdd)) return Forbid();
        if (!ModelState.IsValid) return Page();

        var item = new StuffItem();
        Form.ApplyTo(item);
        db.Stuff.Add(item);
        await db.SaveAddedAsync(User, LogEntry.StuffType, () => (item.Id.ToString(), item.Junk), cancellationToken);

        TempData["Message"] = $"Added “{item.Junk}”.";
        return LocalRedirect(Url.Content("~/admin/stuff"));
    }
}
