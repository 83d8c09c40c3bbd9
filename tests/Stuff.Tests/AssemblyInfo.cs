using System.Runtime.Versioning;

// The suite drives Linux services (PostgreSQL, file modes, signals); it runs on Linux only.
[assembly: SupportedOSPlatform("linux")]
