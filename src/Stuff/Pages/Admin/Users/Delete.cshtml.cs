using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Users;

/// <summary>Deletes a user after a confirmation. Their history, and the history of what they changed, stays.</summary>
public sealed class DeleteModel(AppDbContext db, AdminAccess access) : PageModel
{
    public AppUser Target { get; private set; } = null!;

    /// <summary>Why this user cannot be deleted, shown instead of the button; null when they can.</summary>
    public string? Refusal { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        var grant = await access.GetAsync(User, cancellationToken);
        if (!grant.Has(Permissions.UserDelete)) return Forbid();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null) return NotFound();
        Target = user;
        Refusal = await GuardRails.CheckAsync(db, grant, user, user.IsActive, user.IsStaff, user.IsSuperuser, deleting: true, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        var grant = await access.GetAsync(User, cancellationToken);
        if (!grant.Has(Permissions.UserDelete)) return Forbid();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null) return NotFound();
        Target = user;
        Refusal = await GuardRails.CheckAsync(db, grant, user, user.IsActive, user.IsStaff, user.IsSuperuser, deleting: true, cancellationToken);
        if (Refusal is not null) return Page();

        // Their groups, permissions and logins go with them (cascades); log entries keep the username.
        db.Users.Remove(user);
        db.Record(User, LogEntry.UserType, user.Id, user.UserName ?? user.Id, LogAction.Deleted, History.DeletedMessage);
        await db.SaveChangesAsync(cancellationToken);

        TempData["Message"] = $"Deleted user “{user.UserName}”.";
        return LocalRedirect(Url.Content("~/admin/users"));
    }
}
