using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Stuff;

/// <summary>
/// The list's bulk action. The list posts the ticked ids here and this page lists what would go;
/// only its own confirmation deletes, all in one transaction, with a history entry for each row.
/// </summary>
public sealed class DeleteSelectedModel(AppDbContext db, AdminAccess access) : PageModel
{
    /// <summary>More than a list page holds is not a selection a person made.</summary>
    public const int MaxSelection = ListPage<StuffItem>.Size;

    public const string NothingSelectedMessage = "Select some stuff to delete first. Nothing was deleted.";

    /// <summary>A selection larger than one page is refused whole: deleting part of it would report a success that is not one.</summary>
    public static string TooManyMessage(int count) =>
        $"{count} stuff were selected; at most {MaxSelection} can be deleted at once. Nothing was deleted.";

    public IReadOnlyList<StuffItem> Items { get; private set; } = [];

    public IActionResult OnGet() => LocalRedirect(Url.Content("~/admin/stuff"));

    public async Task<IActionResult> OnPostAsync(int[] ids, CancellationToken cancellationToken)
    {
        if (!(await access.GetAsync(User, cancellationToken)).Has(Permissions.StuffDelete)) return Forbid();
        var wanted = ids.Distinct().ToArray();
        if (wanted.Length > MaxSelection) return BackToList(TooManyMessage(wanted.Length));
        Items = await SelectedAsync(wanted, cancellationToken);
        if (Items.Count == 0) return BackToList(NothingSelectedMessage);
        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync(int[] ids, CancellationToken cancellationToken)
    {
        if (!(await access.GetAsync(User, cancellationToken)).Has(Permissions.StuffDelete)) return Forbid();
        var wanted = ids.Distinct().ToArray();
        if (wanted.Length > MaxSelection) return BackToList(TooManyMessage(wanted.Length));
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var items = await db.Stuff.Where(s => wanted.Contains(s.Id)).ToListAsync(cancellationToken);
        if (items.Count == 0) return BackToList(NothingSelectedMessage);
        foreach (var item in items)
        {
            db.Stuff.Remove(item);
            db.Record(User, LogEntry.StuffType, item.Id.ToString(), item.Junk, LogAction.Deleted, History.DeletedMessage);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone changed or deleted one of them meanwhile: delete none, and show the list as it is now.
            db.ChangeTracker.Clear();
            await transaction.RollbackAsync(cancellationToken);
            return BackToList("Some of that stuff was changed or deleted by someone else meanwhile. Nothing was deleted; check the list and try again.");
        }
        await transaction.CommitAsync(cancellationToken);
        return BackToList($"Deleted {items.Count} stuff.");
    }

    private async Task<List<StuffItem>> SelectedAsync(int[] wanted, CancellationToken cancellationToken)
    {
        ModelState.Clear();
        return await db.Stuff.AsNoTracking().Where(s => wanted.Contains(s.Id)).OrderBy(s => s.Id).ToListAsync(cancellationToken);
    }

    private LocalRedirectResult BackToList(string message)
    {
        TempData["Message"] = message;
        return LocalRedirect(Url.Content("~/admin/stuff"));
    }
}
