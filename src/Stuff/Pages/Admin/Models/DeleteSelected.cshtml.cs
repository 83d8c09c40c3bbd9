using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Models;

/// <summary>
/// The list's bulk action. The list posts the ticked ids here and this page lists what would go;
/// only its own confirmation deletes, all in one transaction, with a history entry for each.
/// </summary>
public sealed class DeleteSelectedModel(AppDbContext db, AdminAccess access) : ModelPage(db, access)
{
    /// <summary>More than a list page holds is not a selection a person made.</summary>
    public const int MaxSelection = ListPage<object>.Size;

    public static string NothingSelectedMessage(ModelAdmin admin) => $"Select some {admin.Plural} to delete first. Nothing was deleted.";

    /// <summary>A selection larger than one page is refused whole: deleting part of it would report a success that is not one.</summary>
    public static string TooManyMessage(ModelAdmin admin, int count) =>
        $"{admin.Count(count)} were selected; at most {MaxSelection} can be deleted at once. Nothing was deleted.";

    public IReadOnlyList<object> Items { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string section, CancellationToken cancellationToken) =>
        await OpenAsync(section, null, cancellationToken) ?? LocalRedirect(Url.Content(ListHref));

    public async Task<IActionResult> OnPostAsync(string section, string[] ids, CancellationToken cancellationToken)
    {
        if (await OpenAsync(section, Permissions.Delete, cancellationToken) is { } refused) return refused;
        ModelState.Clear();
        var wanted = ids.Distinct().ToArray();
        if (wanted.Length > MaxSelection) return BackToList(TooManyMessage(Admin, wanted.Length));
        Items = await Admin.FindManyAsync(Db, wanted, tracked: false, cancellationToken);
        if (Items.Count == 0) return BackToList(NothingSelectedMessage(Admin));
        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync(string section, string[] ids, CancellationToken cancellationToken)
    {
        if (await OpenAsync(section, Permissions.Delete, cancellationToken) is { } refused) return refused;
        var wanted = ids.Distinct().ToArray();
        if (wanted.Length > MaxSelection) return BackToList(TooManyMessage(Admin, wanted.Length));
        await using var transaction = await Db.Database.BeginTransactionAsync(cancellationToken);
        var items = await Admin.FindManyAsync(Db, wanted, tracked: true, cancellationToken);
        if (items.Count == 0) return BackToList(NothingSelectedMessage(Admin));
        foreach (var item in items)
        {
            Db.Remove(item);
            Db.Record(User, Admin.Name, IdOf(item), Admin.Describe(item), LogAction.Deleted, History.DeletedMessage);
        }
        try
        {
            await Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone changed or deleted one of them meanwhile: delete none, and show the list as it is now.
            Db.ChangeTracker.Clear();
            await transaction.RollbackAsync(cancellationToken);
            return BackToList("Some of the selection was changed or deleted by someone else meanwhile. Nothing was deleted; check the list and try again.");
        }
        await transaction.CommitAsync(cancellationToken);
        return BackToList($"Deleted {Admin.Count(items.Count)}.");
    }

    private LocalRedirectResult BackToList(string message)
    {
        TempData["Message"] = message;
        return LocalRedirect(Url.Content(ListHref));
    }
}
