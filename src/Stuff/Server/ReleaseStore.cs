using System.Globalization;
using System.Runtime.InteropServices;

namespace Stuff.Server;

/// <summary>
/// Releases side by side, and which one serves. Under the app root (/opt/stuff):
/// <c>releases/0.1.0-20261201T091500Z/bin/</c> holds one published release each (the path
/// matches SELinux's <c>/opt/(.*/)?bin(/.*)?</c> rule, so its files are bin_t);
/// <c>slots/5080</c> and <c>slots/5081</c> name the release each port runs; <c>current</c> names
/// the slot Apache sends traffic to; <c>bin</c> is <c>current/bin</c>, so /opt/stuff/bin/stuff is
/// always the live release. A new release starts in the idle slot while the live one serves.
/// Every link is replaced by a rename, so a reader never sees one half made.
/// </summary>
public sealed class ReleaseStore(string root)
{
    public static readonly int[] SlotPorts = [5080, 5081];

    /// <summary>The most instances one host runs in a slot, behind Apache's balancer.</summary>
    public const int MaxInstances = 8;

    /// <summary>The ports of a slot's instances: the slot's own port, then every second one (5080, 5082 ... and 5081, 5083 ...).</summary>
    public static IEnumerable<int> Ports(int slot, int instances) => Enumerable.Range(0, instances).Select(i => slot + (2 * i));

    /// <summary>Every port an instance of either slot may use.</summary>
    public static IEnumerable<int> AllPorts => SlotPorts.SelectMany(s => Ports(s, MaxInstances));

    /// <summary>The address is one setup runs this host's own instances on (loopback, an instance port).</summary>
    public static bool IsInstanceAddress(Uri address) => address.IsLoopback && AllPorts.Contains(address.Port);

    /// <summary>Releases kept on disk, besides any a slot still names.</summary>
    public const int Keep = 5;

    public string ReleasesDirectory => Path.Combine(root, "releases");
    public string SlotsDirectory => Path.Combine(root, "slots");
    public string Current => Path.Combine(root, "current");
    public string Bin => Path.Combine(root, "bin");

    public string SlotPath(int port) => Path.Combine(SlotsDirectory, port.ToString(CultureInfo.InvariantCulture));

    public static string BinOf(string release) => Path.Combine(release, "bin");

    public static string ExecutableOf(string release) => Path.Combine(release, "bin", "stuff");

    /// <summary>The name a person sees: 0.1.0-20261201T091500Z.</summary>
    public static string NameOf(string? release) => release is null ? "none" : Path.GetFileName(release.TrimEnd('/'));

    /// <summary>The port of the slot <c>current</c> names; null before a first release went live.</summary>
    public int? LivePort =>
        LinkTarget(Current) is { } target && int.TryParse(Path.GetFileName(target), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && SlotPorts.Contains(port)
            ? port
            : null;

    /// <summary>How many instances the live slot runs: its ports that name a release, from the first on.</summary>
    public int LiveInstances => LivePort is { } live ? Ports(live, MaxInstances).TakeWhile(p => ReleaseIn(p) is not null).Count() : 0;

    /// <summary>The ports the live slot's instances run on, as the links say.</summary>
    public IReadOnlyList<int> LivePorts => LivePort is { } live ? [.. Ports(live, LiveInstances)] : [];

    /// <summary>The port a new release starts on: the slot that is not live.</summary>
    public int IdlePort => SlotPorts.First(p => p != LivePort);

    /// <summary>The release directory a slot names, or null.</summary>
    public string? ReleaseIn(int port) =>
        LinkTarget(SlotPath(port)) is { } target ? Path.GetFullPath(target, SlotsDirectory) : null;

    public string? LiveRelease => LivePort is { } port ? ReleaseIn(port) : null;

    /// <summary>Every release, oldest first (the names end in their UTC time of installation).</summary>
    public IReadOnlyList<string> List() =>
        Directory.Exists(ReleasesDirectory)
            ? Directory.GetDirectories(ReleasesDirectory).Where(d => !Path.GetFileName(d).StartsWith('.')).OrderBy(Stamp, StringComparer.Ordinal).ToList()
            : [];

    /// <summary>
    /// The newest release installed before the live one that has served before: where a rollback
    /// goes (a release that never became ready is no place to go back to).
    /// </summary>
    public string? Previous()
    {
        if (LiveRelease is not { } live) return null;
        var stamp = Stamp(live);
        return List().LastOrDefault(r => string.CompareOrdinal(Stamp(r), stamp) < 0 && HasServed(r));
    }

    /// <summary>Marks a release that went live; written into its directory, which only root may change.</summary>
    private const string ServedMarker = ".served";

    public static bool HasServed(string release) => File.Exists(Path.Combine(release, ServedMarker));

    /// <summary>A path for a new release of this version, not yet taken.</summary>
    public string NewReleasePath(string version, DateTime utcNow)
    {
        var safe = new string(version.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-').ToArray());
        for (var at = utcNow; ; at = at.AddSeconds(1))
        {
            var path = Path.Combine(ReleasesDirectory, $"{safe}-{at.ToString(StampFormat, CultureInfo.InvariantCulture)}");
            if (!Directory.Exists(path)) return path;
        }
    }

    /// <summary>Forgets which release a port ran (an instance no longer wanted).</summary>
    public void Unpoint(int port)
    {
        if (LinkTarget(SlotPath(port)) is not null) File.Delete(SlotPath(port));
    }

    /// <summary>Makes a slot name a release.</summary>
    public void Point(int port, string release)
    {
        Directory.CreateDirectory(SlotsDirectory);
        ReplaceLink(SlotPath(port), Path.GetRelativePath(SlotsDirectory, release));
    }

    /// <summary>Sends <c>current</c> (and so /opt/stuff/bin) to a slot.</summary>
    public void MakeLive(int port)
    {
        ReplaceLink(Current, Path.GetRelativePath(root, SlotPath(port)));
        if (ReleaseIn(port) is { } release && !HasServed(release))
            File.WriteAllText(Path.Combine(release, ServedMarker), DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture) + "\n");
        var bin = Path.Combine("current", "bin");
        if (LinkTarget(Bin) == bin) return;
        // A layout from before releases had a real bin directory; its files are the old release.
        var aside = Bin + ".before-releases";
        if (Directory.Exists(Bin) && new DirectoryInfo(Bin).LinkTarget is null)
        {
            if (Directory.Exists(aside)) Directory.Delete(aside, recursive: true);
            Directory.Move(Bin, aside);
        }
        ReplaceLink(Bin, bin);
        if (Directory.Exists(aside)) Directory.Delete(aside, recursive: true);
    }

    /// <summary>Releases to delete: the oldest beyond <see cref="Keep"/>, never one a slot names.</summary>
    public IReadOnlyList<string> Surplus()
    {
        var inUse = AllPorts.Select(ReleaseIn).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var all = List();
        return all.Take(Math.Max(0, all.Count - Keep)).Where(r => !inUse.Contains(r)).ToList();
    }

    public IReadOnlyList<string> Prune()
    {
        var surplus = Surplus();
        foreach (var release in surplus) Directory.Delete(release, recursive: true);
        return surplus;
    }

    /// <summary>When a slot was last pointed at its release: for the live slot, when that release went live.</summary>
    public DateTime? LiveSince(int port)
    {
        // The link's own time (lstat), not its target's.
        var link = new FileInfo(SlotPath(port));
        return link.LinkTarget is null ? null : link.LastWriteTimeUtc;
    }

    private const string StampFormat = "yyyyMMdd'T'HHmmss'Z'";

    private static string Stamp(string release)
    {
        var name = Path.GetFileName(release.TrimEnd('/'));
        var dash = name.LastIndexOf('-');
        return dash < 0 ? name : name[(dash + 1)..];
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void ReplaceLink(string path, string target)
    {
        var temporary = $"{path}.stuff-new-{Environment.ProcessId}";
        if (new FileInfo(temporary).LinkTarget is not null || File.Exists(temporary)) File.Delete(temporary);
        File.CreateSymbolicLink(temporary, target);
        // rename(2) replaces the old link in one step (File.Move refuses a link to a directory).
        if (Rename(temporary, path) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            File.Delete(temporary);
            throw new IOException($"could not point {path} at {target}: errno {error}");
        }
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string from,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string to);
}
