using System.Runtime.Versioning;

// Disposable servers are Linux machines booted with systemd-nspawn: the tests run only on Linux.
[assembly: SupportedOSPlatform("linux")]
