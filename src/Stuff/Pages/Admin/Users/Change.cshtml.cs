using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Users;

/// <summary>Changes a user's details, flags, groups and direct permissions in one save, with the guard rails.</summary>
public sealed class ChangeModel(AppDbContext db, UserManager<AppUser> users, AdminAccess access) : PageModel
{
    public const string ConflictMessage = "This user was changed by someone else since you opened the form, so nothing was saved. Your changes are still in the form: save again to apply them over theirs, or cancel to keep theirs.";

    [BindProperty]
    public Input Form { get; set; } = new();

    public sealed class Input
    {
        [EmailAddress(ErrorMessage = "Enter a valid email address.")]
        [StringLength(256, ErrorMessage = "Email addresses must be at most {1} characters.")]
        [Display(Name = "Email address")]
        public string? Email { get; set; }

        [StringLength(150, ErrorMessage = "First names must be at most {1} characters.")]
        [Display(Name = "First name")]
        public string? FirstName { get; set; }

        [StringLength(150, ErrorMessage = "Last names must be at most {1} characters.")]
        [Display(Name = "Last name")]
        public string? LastName { get; set; }

        [Display(Name = "Active")]
        public bool IsActive { get; set; }

        [Display(Name = "Staff status")]
        public bool IsStaff { get; set; }

        [Display(Name = "Superuser status")]
        public bool IsSuperuser { get; set; }

        public string[] Groups { get; set; } = [];

        public string[] Permissions { get; set; } = [];

        /// <summary>The user's concurrency stamp when the form was opened.</summary>
        public string? Stamp { get; set; }
    }

    public AppUser Target { get; private set; } = null!;
    public Grant Grant { get; private set; } = Grant.None;
    public Choices GroupChoices { get; private set; } = null!;
    public Choices PermissionChoices { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        Grant = await access.GetAsync(User, cancellationToken);
        if (!Grant.Has(Accounts.Permissions.UserChange)) return Forbid();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null) return NotFound();
        await FillAsync(user, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        Grant = await access.GetAsync(User, cancellationToken);
        if (!Grant.Has(Accounts.Permissions.UserChange)) return Forbid();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null) return NotFound();
        Target = user;

        var permissions = ChoiceChecks.CheckPermissions(Form.Permissions, ModelState, $"{nameof(Form)}.{nameof(Input.Permissions)}");
        var groups = await ChoiceChecks.CheckGroupsAsync(db, Form.Groups, ModelState, $"{nameof(Form)}.{nameof(Input.Groups)}", cancellationToken);
        if (ModelState.IsValid && Form.Stamp != user.ConcurrencyStamp)
        {
            await FillAsync(user, cancellationToken, keepForm: true);
            Form.Stamp = user.ConcurrencyStamp;
            ModelState.Remove($"{nameof(Form)}.{nameof(Input.Stamp)}");
            ModelState.AddModelError(string.Empty, ConflictMessage);
            return Page();
        }
        if (ModelState.IsValid && await GuardRails.CheckAsync(db, Grant, user, Form.IsActive, Form.IsStaff, Form.IsSuperuser, deleting: false, cancellationToken) is { } refusal)
            ModelState.AddModelError(string.Empty, refusal);
        if (!ModelState.IsValid)
        {
            await FillAsync(user, cancellationToken, keepForm: true);
            return Page();
        }

        var currentGroups = await db.UserRoles.Where(r => r.UserId == id).ToListAsync(cancellationToken);
        var currentPermissions = await db.UserClaims.Where(c => c.UserId == id && c.ClaimType == Accounts.Permissions.ClaimType).ToListAsync(cancellationToken);
        var changed = new List<string>();
        var email = string.IsNullOrWhiteSpace(Form.Email) ? null : Form.Email.Trim();
        if (Set(user.Email, email, v => user.Email = v)) changed.Add("email");
        if (Set(user.FirstName, Blank(Form.FirstName), v => user.FirstName = v)) changed.Add("first name");
        if (Set(user.LastName, Blank(Form.LastName), v => user.LastName = v)) changed.Add("last name");
        if (Set(user.IsActive, Form.IsActive, v => user.IsActive = v)) changed.Add("active");
        if (Set(user.IsStaff, Form.IsStaff, v => user.IsStaff = v)) changed.Add("staff status");
        if (Set(user.IsSuperuser, Form.IsSuperuser, v => user.IsSuperuser = v)) changed.Add("superuser status");

        if (!currentGroups.Select(r => r.RoleId).ToHashSet().SetEquals(groups))
        {
            db.UserRoles.RemoveRange(currentGroups.Where(r => !groups.Contains(r.RoleId)));
            db.UserRoles.AddRange(groups.Except(currentGroups.Select(r => r.RoleId)).Select(g => new IdentityUserRole<string> { UserId = id, RoleId = g }));
            changed.Add("groups");
        }
        if (!currentPermissions.Select(c => c.ClaimValue).ToHashSet().SetEquals(permissions))
        {
            db.UserClaims.RemoveRange(currentPermissions.Where(c => !permissions.Contains(c.ClaimValue)));
            db.UserClaims.AddRange(permissions.Except(currentPermissions.Select(c => c.ClaimValue!))
                .Select(p => new IdentityUserClaim<string> { UserId = id, ClaimType = Accounts.Permissions.ClaimType, ClaimValue = p }));
            changed.Add("user permissions");
        }

        db.Record(User, LogEntry.UserType, user.Id, user.UserName ?? user.Id, LogAction.Changed, History.ChangedMessage(changed));
        // The stamp the form was read with: Identity's update refuses the save when someone changed the user since.
        db.Entry(user).Property(u => u.ConcurrencyStamp).OriginalValue = Form.Stamp;
        // One save for the user, their groups, permissions and the history line; a deactivated
        // account also gets a new security stamp, so its sessions end at their next check.
        var saved = user.IsActive ? await users.UpdateAsync(user) : await users.UpdateSecurityStampAsync(user);
        if (!saved.Succeeded)
        {
            db.ChangeTracker.Clear();
            var current = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
            if (current is null) return NotFound();
            await FillAsync(current, cancellationToken, keepForm: true);
            Form.Stamp = current.ConcurrencyStamp;
            ModelState.Remove($"{nameof(Form)}.{nameof(Input.Stamp)}");
            ModelState.AddModelError(string.Empty, saved.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure))
                ? ConflictMessage
                : string.Join(" ", saved.Errors.Select(e => e.Description)));
            return Page();
        }

        TempData["Message"] = $"Changed user “{user.UserName}”.";
        return LocalRedirect(Url.Content("~/admin/users"));
    }

    /// <summary>Sets up the page for <paramref name="user"/>; with <paramref name="keepForm"/> the posted values stay in the form.</summary>
    private async Task FillAsync(AppUser user, CancellationToken cancellationToken, bool keepForm = false)
    {
        Target = user;
        if (!keepForm)
        {
            Form = new Input
            {
                Email = user.Email,
                FirstName = user.FirstName,
                LastName = user.LastName,
                IsActive = user.IsActive,
                IsStaff = user.IsStaff,
                IsSuperuser = user.IsSuperuser,
                Groups = [.. await db.UserRoles.Where(r => r.UserId == user.Id).Select(r => r.RoleId).ToListAsync(cancellationToken)],
                Permissions = [.. await db.UserClaims.Where(c => c.UserId == user.Id && c.ClaimType == Accounts.Permissions.ClaimType).Select(c => c.ClaimValue!).ToListAsync(cancellationToken)],
                Stamp = user.ConcurrencyStamp,
            };
        }
        else
        {
            // A flag posted as something other than true/false cannot be shown as a checkbox; it
            // shows the account's current state, and the summary says what was wrong.
            Form.IsActive = KeepFlag(nameof(Input.IsActive), Form.IsActive, user.IsActive);
            Form.IsStaff = KeepFlag(nameof(Input.IsStaff), Form.IsStaff, user.IsStaff);
            Form.IsSuperuser = KeepFlag(nameof(Input.IsSuperuser), Form.IsSuperuser, user.IsSuperuser);
        }
        GroupChoices = await ChoiceChecks.GroupChoicesAsync(db, $"{nameof(Form)}.{nameof(Input.Groups)}", Form.Groups, cancellationToken);
        PermissionChoices = ChoiceChecks.PermissionChoices($"{nameof(Form)}.{nameof(Input.Permissions)}", Form.Permissions);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private bool KeepFlag(string property, bool posted, bool current)
    {
        var key = $"{nameof(Form)}.{property}";
        if (!ModelState.TryGetValue(key, out var entry) || entry.Errors.Count == 0) return posted;
        ModelState.SetModelValue(key, current, current ? "true" : "false");
        return current;
    }

    private static bool Set<T>(T current, T wanted, Action<T> apply)
    {
        if (EqualityComparer<T>.Default.Equals(current, wanted)) return false;
        apply(wanted);
        return true;
    }
}
