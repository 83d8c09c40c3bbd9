using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin;

/// <summary>Every recorded change to one object, newest first; it stays readable after the object is deleted.</summary>
public sealed class HistoryModel(AppDbContext db, AdminAccess access) : PageModel
{
    public ListPage<LogEntry> Entries { get; private set; } = new();

    /// <summary>The list the object belongs to: "stuff", "users" or "groups" (its address).</summary>
    public string Section { get; private set; } = "";
    public string Title { get; private set; } = "";
    public string ObjectId { get; private set; } = "";

    /// <summary>False once the object is deleted: there is no change page to link to.</summary>
    public bool Exists { get; private set; }

    public async Task<IActionResult> OnGetAsync(string section, string id, [FromQuery(Name = "p")] int? p, CancellationToken cancellationToken)
    {
        ModelState.Clear();
        if (SiteModels.AtSection(section) is not { } model) return NotFound();
        if (!(await access.GetAsync(User, cancellationToken)).CanSee(model.Name)) return Forbid();

        var current = await model.CurrentName(db, id, cancellationToken);
        var entries = db.Log.AsNoTracking().Where(e => e.ObjectType == model.Name && e.ObjectId == id);
        Entries = await entries.OrderByDescending(e => e.ActionTime).ThenByDescending(e => e.Id).ToListPageAsync(p, "changes", cancellationToken);
        if (current is null && Entries.Total == 0) return NotFound();

        Section = section;
        ObjectId = id;
        Exists = current is not null;
        Title = current ?? Entries.Items[0].ObjectRepr;
        return Page();
    }
}
