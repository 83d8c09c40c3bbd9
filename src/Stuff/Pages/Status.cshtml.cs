using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Stuff.Pages;

/// <summary>The friendly page for error status codes without a body (404, 403, 400 ...).</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class StatusModel : PageModel
{
    public int Code { get; private set; }

    public (string Title, string Text) Message => Code switch
    {
        404 => ("Not found", "There is nothing at this address. It may have been deleted, or the link may be wrong."),
        403 => ("You can't do that", "Your account is not allowed to open that page."),
        400 => ("Bad request", "The site could not understand that request. Go back, reload the page and try again."),
        405 => ("Not allowed", "That address does not accept this kind of request."),
        413 => ("Too large", "What you sent is larger than the site accepts."),
        _ => ("Something went wrong", "The site could not answer that request."),
    };

    // The code is read from the route, not bound: binding a re-executed POST would read its form,
    // the very body (too large, or not a form at all) that led here.
    public void OnGet() => Code = RouteCode();

    public void OnPost() => Code = RouteCode();

    private int RouteCode() =>
        int.TryParse(RouteData.Values["code"]?.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code) ? code : 0;
}
