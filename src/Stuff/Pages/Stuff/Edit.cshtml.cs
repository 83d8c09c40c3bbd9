using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Data;

namespace Stuff.Pages.Stuff;

/// <summary>
/// Edits one row. The form carries the version it was opened at; a save against a newer
/// version is refused and the current values are shown, so nobody overwrites a change unseen.
/// </summary>
public sealed class EditModel(AppDbContext db) : PageModel
{
    [BindProperty]
    public StuffForm Form { get; set; } = new();

    [BindProperty]
    public long Version { get; set; }

    public int Id { get; private set; }

    /// <summary>The row as it is now in the database, shown after a conflict.</summary>
    public StuffItem? Current { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken cancellationToken)
    {
        var item = await db.Stuff.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (item is null) return NotFound();
        Id = id;
        Form = StuffForm.From(item);
        Version = item.Version;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id, CancellationToken cancellationToken)
    {
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

        TempData["Message"] = $"Saved “{item.Junk}”.";
        return this.RedirectToList();
    }

    private PageResult Conflict(StuffItem current)
    {
        Current = current;
        Version = current.Version;
        ModelState.Remove(nameof(Version));
        return Page();
    }
}
