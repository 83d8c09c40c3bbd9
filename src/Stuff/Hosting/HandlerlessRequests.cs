using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Stuff.Hosting;

/// <summary>
/// A POST (or any method but GET and HEAD) to a page that has no handler for it is answered 405.
/// Razor Pages would otherwise render the page without running any handler, so a page that only
/// shows something would answer a POST with a page built from nothing.
/// </summary>
public sealed class HandlerlessRequests : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var method = context.HttpContext.Request.Method;
        if (context.HandlerMethod is not null || HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) return next();
        context.Result = new StatusCodeResult(StatusCodes.Status405MethodNotAllowed);
        return Task.CompletedTask;
    }
}
