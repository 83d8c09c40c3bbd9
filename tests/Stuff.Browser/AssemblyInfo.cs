using System.Runtime.Versioning;

// Like the main suite: the site runs as a Linux process against a Linux PostgreSQL and Chromium.
[assembly: SupportedOSPlatform("linux")]
