namespace Stuff.Server;

/// <summary>
/// How many requests Apache works on at once, sized for the host's memory. Apache's event MPM
/// keeps idle keep-alive connections off its threads, so a worker is held only while a request is
/// read, proxied to the app and answered; each process of 25 workers costs a few megabytes. The
/// distributions' defaults (150 on Debian, 400 on Fedora) are sized for no host in particular:
/// on a 512 MB machine, which also runs PostgreSQL and two release slots of the app during an
/// upgrade, their extra processes are memory the app needs.
/// </summary>
public static class ApacheWorkers
{
    /// <summary>Workers per Apache process (the MPM's ThreadsPerChild, as both distributions ship it).</summary>
    public const int PerProcess = 25;

    /// <summary>Memory per process of workers that the rule below allows for (MB).</summary>
    public const int MegabytesPerProcess = 256;

    /// <summary>The fewest processes: one busy, one to take over while the other is replaced.</summary>
    public const int MinimumProcesses = 2;

    /// <summary>The most: Apache's own ServerLimit for the event MPM, which a graceful reload cannot raise.</summary>
    public const int MaximumProcesses = 16;

    /// <summary>The distributions' middle ground where the host's memory is not known (Debian's 150).</summary>
    public const int UnknownMemoryWorkers = 150;

    /// <summary>MaxRequestWorkers: 25 for every 256 MB, from 50 (a 512 MB host) to 400 (4 GB and more).</summary>
    public static int MaxRequestWorkers(int memoryMegabytes) => memoryMegabytes <= 0
        ? UnknownMemoryWorkers
        : Math.Clamp(memoryMegabytes / MegabytesPerProcess, MinimumProcesses, MaximumProcesses) * PerProcess;
}
