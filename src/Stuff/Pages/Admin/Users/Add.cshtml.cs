using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Admin.Users;

/// <summary>Adds a user with a username and password, as Django does; the rest is set on the change page after.</summary>
public sealed class AddModel(AppDbContext db, UserManager<AppUser> users, AdminAccess access, TimeProvider clock) : PageModel
{
    [BindProperty]
    public Input Form { get; set; } = new();

    public sealed class Input
    {
        [Required(ErrorMessage = "Enter a username.")]
        [StringLength(150, ErrorMessage = "Usernames must be at most {1} characters.")]
        [Display(Name = "Username")]
        public string? Username { get; set; }

        [Required(ErrorMessage = "Enter a password.")]
        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string? Password { get; set; }

        [Required(ErrorMessage = "Enter the password again.")]
        [DataType(DataType.Password)]
        [Compare(nameof(Password), ErrorMessage = "The two passwords don't match.")]
        [Display(Name = "Password again")]
        public string? ConfirmPassword { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        (await access.GetAsync(User, cancellationToken)).Has(Permissions.UserAdd) ? Page() : Forbid();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!(await access.GetAsync(User, cancellationToken)).Has(Permissions.UserAdd)) return Forbid();
        if (!ModelState.IsValid) return Page();

        var user = new AppUser { UserName = Form.Username!.Trim(), IsActive = true, DateJoined = clock.GetUtcNow().UtcDateTime };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await users.CreateAsync(user, Form.Password!);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                var field = error.Code.StartsWith("Password", StringComparison.Ordinal) ? nameof(Input.Password) : nameof(Input.Username);
                ModelState.AddModelError($"{nameof(Form)}.{field}", error.Description);
            }
            return Page();
        }
        db.Record(User, LogEntry.UserType, user.Id, user.UserName, LogAction.Added, History.AddedMessage);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        TempData["Message"] = $"Added user “{user.UserName}”. Now give them their details, staff status, groups and permissions.";
        return LocalRedirect(Url.Content($"~/admin/users/{user.Id}/change"));
    }
}
