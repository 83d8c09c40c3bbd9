using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Users;

/// <summary>Sets another user's password (no old password needed), checked by the same rules as everywhere else.</summary>
public sealed class PasswordModel(AppDbContext db, UserManager<AppUser> users, SignInManager<AppUser> signIn, AdminAccess access) : PageModel
{
    [BindProperty]
    public Input Form { get; set; } = new();

    public sealed class Input
    {
        [Required(ErrorMessage = "Enter a new password.")]
        [DataType(DataType.Password)]
        [Display(Name = "New password")]
        public string? Password { get; set; }

        [Required(ErrorMessage = "Enter the new password again.")]
        [DataType(DataType.Password)]
        [Compare(nameof(Password), ErrorMessage = "The two passwords don't match.")]
        [Display(Name = "New password again")]
        public string? ConfirmPassword { get; set; }
    }

    public AppUser Target { get; private set; } = null!;
    public Grant Grant { get; private set; } = Grant.None;

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        Grant = await access.GetAsync(User, cancellationToken);
        if (!Grant.Has(Permissions.UserChange)) return Forbid();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null) return NotFound();
        Target = user;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken cancellationToken)
    {
        Grant = await access.GetAsync(User, cancellationToken);
        if (!Grant.Has(Permissions.UserChange)) return Forbid();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null) return NotFound();
        Target = user;
        if (!GuardRails.MayTouch(Grant, user)) ModelState.AddModelError(string.Empty, GuardRails.OnlySuperusersTouchSuperusers);
        if (!ModelState.IsValid) return Page();

        foreach (var validator in users.PasswordValidators)
        {
            var check = await validator.ValidateAsync(users, user, Form.Password);
            foreach (var error in check.Errors)
                ModelState.AddModelError($"{nameof(Form)}.{nameof(Input.Password)}", error.Description);
        }
        if (!ModelState.IsValid) return Page();

        // Hash and log in one save; a new security stamp ends the user's other sessions.
        user.PasswordHash = users.PasswordHasher.HashPassword(user, Form.Password!);
        db.Record(User, LogEntry.UserType, user.Id, user.UserName ?? user.Id, LogAction.Changed, "Changed password.");
        var saved = await users.UpdateSecurityStampAsync(user);
        if (!saved.Succeeded)
        {
            ModelState.AddModelError(string.Empty, string.Join(" ", saved.Errors.Select(e => e.Description)));
            return Page();
        }
        if (user.Id == Grant.UserId) await signIn.RefreshSignInAsync(user);

        TempData["Message"] = $"Changed the password of “{user.UserName}”.";
        return LocalRedirect(Url.Content($"~/admin/users/{user.Id}/change"));
    }
}
