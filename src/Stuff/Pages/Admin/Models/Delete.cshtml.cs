using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Models;

/// <summary>Asks before deleting one object; the confirmation is tied to the version that was shown.</summary>
public sealed class DeleteModel(AppDbContext db, AdminAccess access) : ModelPage(db, access)
{
    [BindProperty]
    public long Version { get; set; }

    public object Entity { get; private set; } = null!;

    /// <summary>True when the object changed after the confirmation page was shown.</summary>
    public bool Changed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string section, string id, CancellationToken cancellationToken)
    {
        if (await OpenAsync(section, Permissions.Delete, cancellationToken) is { } refused) return refused;
        if (await Admin.FindAsync(Db, id, tracked: false, cancellationToken) is not IVersioned entity) return NotFound();
        Entity = entity;
        Version = entity.Version;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string section, string id, CancellationToken cancellationToken)
    {
        if (await OpenAsync(section, Permissions.Delete, cancellationToken) is { } refused) return refused;
        if (await Admin.FindAsync(Db, id, tracked: true, cancellationToken) is not IVersioned entity) return NotFound();
        var (saved, current) = await Db.SaveAtVersionAsync(entity, Version, () =>
        {
            Db.Remove(entity);
            Db.Record(User, Admin.Name, id, Admin.Describe(entity), LogAction.Deleted, History.DeletedMessage);
        }, cancellationToken);
        if (!saved) return current is null ? NotFound() : Conflict(current);

        TempData["Message"] = $"Deleted “{Admin.Describe(entity)}”.";
        return LocalRedirect(Url.Content(ListHref));
    }

    private PageResult Conflict(IVersioned current)
    {
        Entity = current;
        Changed = true;
        Version = current.Version;
        ModelState.Remove(nameof(Version));
        return Page();
    }
}
