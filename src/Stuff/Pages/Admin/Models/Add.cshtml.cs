using Microsoft.AspNetCore.Mvc;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Models;

/// <summary>Adds an object of a registered model; the object and its "Added." entry are one transaction.</summary>
public sealed class AddModel(AppDbContext db, AdminAccess access) : ModelPage(db, access)
{
    public async Task<IActionResult> OnGetAsync(string section, CancellationToken cancellationToken) =>
        await OpenAsync(section, Permissions.Add, cancellationToken) ?? Page();

    public async Task<IActionResult> OnPostAsync(string section, CancellationToken cancellationToken)
    {
        if (await OpenAsync(section, Permissions.Add, cancellationToken) is { } refused) return refused;
        if (ReadForm() is not { } values) return Page();

        var entity = Admin.New();
        Apply(entity, values);
        Db.Add(entity);
        await Db.SaveAddedAsync(User, Admin.Name, () => (IdOf(entity), Admin.Describe(entity)), cancellationToken);

        TempData["Message"] = $"Added “{Admin.Describe(entity)}”.";
        return LocalRedirect(Url.Content(ListHref));
    }
}
