using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stuff.Data;

namespace Stuff.Pages.Stuff;

public sealed class NewModel(AppDbContext db) : PageModel
{
    [BindProperty]
    public StuffForm Form { get; set; } = new();

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid) return Page();

        var item = new StuffItem();
        Form.ApplyTo(item);
        db.Stuff.Add(item);
        await db.SaveAddedAsync(User, LogEntry.StuffType, () => (item.Id.ToString(), item.Junk), cancellationToken);

        TempData["Message"] = $"Saved “{item.Junk}”.";
        return this.RedirectToList();
    }
}
