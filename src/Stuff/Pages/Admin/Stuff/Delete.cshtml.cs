using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Stuff;

/// <summary>Asks before deleting one row; the confirmation is tied to the version that was shown.</summary>
public sealed class DeleteModel(AppDbContext db, AdminAccess access) : PageModel
{
    [BindProperty]
    public long Version { get; set; }

    public StuffItem Item { get; private set; } = null!;

    /// <summary>True when the row changed after the confirmation page was shown.</summary>
    public bool Changed { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken cancellationToken)
    {
        if (!(await access.GetAsync(User, cancellationToken)).Has(Permissions.StuffDelete)) return Forbid();
        var item = await db.Stuff.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (item is null) return NotFound();
        Item = item;
        Version = item.Version;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id, CancellationToken cancellationToken)
    {
        if (!(await access.GetAsync(User, cancellationToken)).Has(Permissions.StuffDelete)) return Forbid();
        var item = await db.Stuff.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (item is null) return NotFound();
        var (saved, current) = await db.SaveAtVersionAsync(item, Version, () =>
        {
            db.Stuff.Remove(item);
            db.Record(User, LogEntry.StuffType, item.Id.ToString(), item.Junk, LogAction.Deleted, History.DeletedMessage);
        }, cancellationToken);
        if (!saved) return current is null ? NotFound() : Conflict(current);

        TempData["Message"] = $"Deleted “{item.Junk}”.";
        return LocalRedirect(Url.Content("~/admin/stuff"));
    }

    private PageResult Conflict(StuffItem current)
    {
        Item = current;
        Changed = true;
        Version = current.Version;
        ModelState.Remove(nameof(Version));
        return Page();
    }
}
