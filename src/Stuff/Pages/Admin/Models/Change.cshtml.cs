using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Models;

/// <summary>
/// Changes one object. The form carries the version it showed: a save that meets a newer
/// version writes nothing and shows the current values, with the person's changes still in the form.
/// </summary>
public sealed class ChangeModel(AppDbContext db, AdminAccess access) : ModelPage(db, access)
{
    [BindProperty]
    public long Version { get; set; }

    public string Id { get; private set; } = "";

    /// <summary>The object as it is now in the database, shown after a conflict.</summary>
    public object? Current { get; private set; }

    public async Task<IActionResult> OnGetAsync(string section, string id, CancellationToken cancellationToken)
    {
        if (await OpenAsync(section, Permissions.Change, cancellationToken) is { } refused) return refused;
        if (await Admin.FindAsync(Db, id, tracked: false, cancellationToken) is not IVersioned entity) return NotFound();
        Id = id;
        Show(entity);
        Version = entity.Version;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string section, string id, CancellationToken cancellationToken)
    {
        if (await OpenAsync(section, Permissions.Change, cancellationToken) is { } refused) return refused;
        if (await Admin.FindAsync(Db, id, tracked: true, cancellationToken) is not IVersioned entity) return NotFound();
        Id = id;
        if (!ModelState.IsValid) ModelState.AddModelError("", "The form was not sent whole; open the page again.");
        if (ReadForm() is not { } values) return Page();

        var (saved, current) = await Db.SaveAtVersionAsync(entity, Version, () =>
        {
            var message = History.ChangedMessage(ChangedFields(entity, values));
            Apply(entity, values);
            Db.Record(User, Admin.Name, id, Admin.Describe(entity), LogAction.Changed, message);
        }, cancellationToken);
        if (!saved) return current is null ? NotFound() : Conflict(current);

        TempData["Message"] = $"Changed “{Admin.Describe(entity)}”.";
        return LocalRedirect(Url.Content(ListHref));
    }

    private PageResult Conflict(IVersioned current)
    {
        Current = current;
        Version = current.Version;
        ModelState.Remove(nameof(Version));
        return Page();
    }
}
