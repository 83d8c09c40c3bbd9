using System.Runtime.Versioning;

// Stuff's servers are Linux (setup, supervise, file modes and signals are Linux's); the site and
// the data commands also run elsewhere for development.
[assembly: SupportedOSPlatform("linux")]
