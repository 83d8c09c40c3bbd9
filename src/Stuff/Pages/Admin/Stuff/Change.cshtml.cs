using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;
using Stuff.Pages.Stuff;

namespace Stuff.Pages.Admin.Stuff;

/// <summary>Changes one row, with the public edit page's protection against overwriting a newer version.</summary>
public sealed class ChangeModel(AppDbContext db, AdminAccess access) : PageModel
{
    [BindProperty]
    public StuffForm Form { get; set; } = new();

    [BindProperty]
    public long Version { get; set; }

    public int Id { get; private set; }

    /// <summary>The row as it is now in the database, shown after a conflict.</summary>
    public StuffItem? Current { get; private set; }

    public Grant Grant { get; private set; } = Grant.None;

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken cancellationToken)
    {
        Grant = await access.GetAsync(User, cancellationToken);
        if (!Grant.Has(Permissions.StuffChange)) return Forbid();
        var item = await db.Stuff.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (item is null) return NotFound();
        Id = id;
        Form = StuffForm.From(item);
        Version = item.Version;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id, CancellationToken cancellationToken)
    {
        Grant = await access.GetAsync(User, cancellationToken);
        if (!Grant.Has(Permissions.StuffChange)) return Forbid();
        var item = await db.Stuff.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (item is null) return NotFound();
        Id = id;
        if (!ModelState.IsValid) return Page();
        var (saved, current) = await db.SaveAtVersionAsync(item, Version, () =>
        {
            var message = History.ChangedMessage(Form.ChangedFields(item));
            Form.ApplyTo(item);
            db.Record(User, LogEntry.StuffType, item.Id.ToString(), item.Junk, LogAction.Changed, message);
        }, cancellationToken);
        if (!saved) return current is null ? NotFound() : Conflict(current);

        TempData["Message"] = $"Changed “{item.Junk}”.";
        return LocalRedirect(Url.Content("~/admin/stuff"));
    }

    private PageResult Conflict(StuffItem current)
    {
        Current = current;
        Version = current.Version;
        ModelState.Remove(nameof(Version));
        return Page();
    }
}
