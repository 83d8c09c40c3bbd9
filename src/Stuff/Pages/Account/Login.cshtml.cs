using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stuff.Data;

namespace Stuff.Pages.Account;

[AllowAnonymous]
public sealed class LoginModel(SignInManager<AppUser> signIn, TimeProvider clock) : PageModel
{
    /// <summary>One message for every failure, so the page never tells whether a username exists.</summary>
    public const string FailedMessage = "Your username and password didn't match, or the account cannot sign in right now. Please try again.";

    [BindProperty]
    public Input Form { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public sealed class Input
    {
        [Required(ErrorMessage = "Enter your username.")]
        [Display(Name = "Username")]
        public string? Username { get; set; }

        [Required(ErrorMessage = "Enter your password.")]
        [DataType(DataType.Password)]
        [Display(Name = "Password")]
        public string? Password { get; set; }
    }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid) return Page();

        var result = await signIn.PasswordSignInAsync(Form.Username!.Trim(), Form.Password!, isPersistent: false, lockoutOnFailure: true);
        if (!result.Succeeded)
        {
            ModelState.AddModelError(string.Empty, FailedMessage);
            return Page();
        }

        var user = await signIn.UserManager.FindByNameAsync(Form.Username.Trim());
        if (user is not null)
        {
            user.LastLogin = clock.GetUtcNow().UtcDateTime;
            await signIn.UserManager.UpdateAsync(user);
        }

        // The return URL already includes the base path; anything that is not a local path is ignored.
        return Url.IsLocalUrl(ReturnUrl) ? LocalRedirect(ReturnUrl) : this.RedirectToList();
    }
}
