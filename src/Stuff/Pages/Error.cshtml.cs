using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Stuff.Data;

namespace Stuff.Pages;

/// <summary>
/// What a person sees when the site fails: no details, only an id that finds the details in the
/// log. When the database cannot be reached the answer is 503, "temporarily unavailable": the
/// next request opens a new connection, so the site recovers by itself once the database is back.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class ErrorModel(ILogger<ErrorModel> logger) : PageModel
{
    public string RequestId { get; private set; } = "";

    /// <summary>The database could not be reached: nothing is wrong with the request or the page.</summary>
    public bool Unavailable { get; private set; }

    public void OnGet() => Handle();

    public void OnPost() => Handle();

    private void Handle()
    {
        RequestId = HttpContext.TraceIdentifier;
        Response.StatusCode = StatusCodes.Status500InternalServerError;
        if (HttpContext.Features.Get<IExceptionHandlerPathFeature>() is not { } failure) return;
        if (DatabaseProblem.Outage(failure.Error) is { } outage)
        {
            Unavailable = true;
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.Headers.RetryAfter = "5";
            // One line, no stack: the cause is outside the app, and /readyz and the doctor name it.
            logger.LogWarning("Request {RequestId} to {Path}: the database is unavailable ({Code}: {Cause})", RequestId, failure.Path, outage.Code, outage.Cause);
            return;
        }
        logger.LogError(failure.Error, "Request {RequestId} to {Path} failed", RequestId, failure.Path);
    }
}
