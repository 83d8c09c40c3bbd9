using System.Data.Common;
using Microsoft.Extensions.Options;

namespace Stuff.Configuration;

/// <summary>
/// An error whose message is written for the person running the command: what happened,
/// why, and what to run. The CLI prints the message alone, without a stack trace.
/// </summary>
public sealed class UserFacingException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>A sentence for a person; database driver messages name the server's complaint but never the password.</summary>
    public static string Describe(Exception e) => e switch
    {
        UserFacingException => e.Message,
        OptionsValidationException o => string.Join(" ", o.Failures),
        DbException db => "database: " + db.Message,
        Microsoft.EntityFrameworkCore.DbUpdateException { InnerException: { } inner } => "database refused the change: " + inner.Message,
        IOException io => io.Message,
        UnauthorizedAccessException access => access.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
