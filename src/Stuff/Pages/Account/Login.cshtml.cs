using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stuff.Accounts;
using Stuff.Data;

namespace Stuff.Pages.Account;

[AllowAnonymous]
public sealed class LoginModel(SignInManager<AppUser> signIn, LoginThrottle throttle, TimeProvider clock) : PageModel
{
    /// <summary>One message for every failure, so the page never tells whether a username exists.</summary>
    public const string FailedMessage = "Your username and password didn't match, or the account cannot sign in right now. Please try again.";

    public const string ThrottledMessage = "Too many failed logins came from your network address. Wait 15 minutes, then try again.";

    /// <summary>A hash no password matches, checked for unknown usernames so that they cost what a wrong password costs.</summary>
    private static readonly Lazy<string> UnknownUserHash = new(() => new PasswordHasher<AppUser>().HashPassword(new AppUser(), Guid.NewGuid().ToString()));

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
        var address = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.IsBlocked(address))
        {
            ModelState.AddModelError(string.Empty, ThrottledMessage);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(Form.Username!.Trim(), Form.Password!, isPersistent: false, lockoutOnFailure: true);
        if (!result.Succeeded)
        {
            throttle.Failed(address);
            // Identity answers an unknown username without hashing anything; hash here, so that
            // how long the answer takes does not tell whether the account exists.
            if (result == Microsoft.AspNetCore.Identity.SignInResult.Failed && await signIn.UserManager.FindByNameAsync(Form.Username.Trim()) is null)
                signIn.UserManager.PasswordHasher.VerifyHashedPassword(new AppUser(), UnknownUserHash.Value, Form.Password!);
            ModelState.AddModelError(string.Empty, FailedMessage);
            return Page();
        }

        var user = await signIn.UserManager.FindByNameAsync(Form.Username.Trim());
        if (user is not null)
        {
            user.LastLogin = clock.GetUtcNow().UtcDateTime;
            await signIn.UserManager.UpdateAsync(user);
        }

        // The return URL already includes the base path; anything that is not a local path under it is ignored.
        return IsUnderBasePath(ReturnUrl) ? LocalRedirect(ReturnUrl) : this.RedirectToList();
    }

    private bool IsUnderBasePath([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? url)
    {
        if (!Url.IsLocalUrl(url)) return false;
        var basePath = Request.PathBase.Value ?? "";
        return basePath.Length == 0 || url == basePath || url.StartsWith(basePath + "/", StringComparison.Ordinal) || url.StartsWith(basePath + "?", StringComparison.Ordinal);
    }
}
