namespace Stuff.Server;

/// <summary>Something on the server could not be done; the message says what ran and what it printed.</summary>
public sealed class ServerException(string message) : Exception(message);
