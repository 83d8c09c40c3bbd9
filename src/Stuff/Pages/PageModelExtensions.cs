using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Stuff.Pages;

public static class PageModelExtensions
{
    /// <summary>Back to the list at "{base path}/", the address every link on the site uses for it.</summary>
    public static LocalRedirectResult RedirectToList(this PageModel page) => page.LocalRedirect(page.Url.Content("~/"));
}
