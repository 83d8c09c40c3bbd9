using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Stuff.Pages;

/// <summary>What a person sees when the site fails: no details, only an id that finds the details in the log.</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class ErrorModel(ILogger<ErrorModel> logger) : PageModel
{
    public string RequestId { get; private set; } = "";

    public void OnGet() => Handle();

    public void OnPost() => Handle();

    private void Handle()
    {
        RequestId = HttpContext.TraceIdentifier;
        Response.StatusCode = StatusCodes.Status500InternalServerError;
        if (HttpContext.Features.Get<IExceptionHandlerPathFeature>() is { } failure)
            logger.LogError(failure.Error, "Request {RequestId} to {Path} failed", RequestId, failure.Path);
    }
}
