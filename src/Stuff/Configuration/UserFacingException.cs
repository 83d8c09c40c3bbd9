namespace Stuff.Configuration;

/// <summary>
/// An error whose message is written for the person running the command: what happened,
/// why, and what to run. The CLI prints the message alone, without a stack trace.
/// </summary>
public sealed class UserFacingException(string message, Exception? inner = null) : Exception(message, inner);
