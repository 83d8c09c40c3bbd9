using Stuff.Server;

namespace Stuff.Tests.Server;

/// <summary>Releases, slots and the live link on a real directory tree, as setup and rollback use them.</summary>
public sealed class ReleaseStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("stuff-releases-").FullName;
    private readonly ReleaseStore _store;

    public ReleaseStoreTests() => _store = new ReleaseStore(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Release(string name)
    {
        var path = Path.Combine(_store.ReleasesDirectory, name);
        Directory.CreateDirectory(ReleaseStore.BinOf(path));
        File.WriteAllText(ReleaseStore.ExecutableOf(path), name);
        return path;
    }

    [Fact]
    public void Before_anything_went_live_the_first_slot_is_the_idle_one()
    {
        Assert.Null(_store.LivePort);
        Assert.Null(_store.LiveRelease);
        Assert.Equal(5080, _store.IdlePort);
        Assert.Null(_store.Previous());
    }

    [Fact]
    public void A_release_goes_live_on_its_slot_and_bin_follows_it()
    {
        var first = Release("0.1.0-20261201T090000Z");
        _store.Point(5080, first);
        _store.MakeLive(5080);

        Assert.Equal(5080, _store.LivePort);
        Assert.Equal(5081, _store.IdlePort);
        Assert.Equal(first, _store.LiveRelease);
        Assert.Equal("0.1.0-20261201T090000Z", File.ReadAllText(Path.Combine(_store.Bin, "stuff")));

        var second = Release("0.2.0-20261201T100000Z");
        _store.Point(_store.IdlePort, second);
        Assert.Equal(first, _store.LiveRelease);
        _store.MakeLive(5081);

        Assert.Equal(second, _store.LiveRelease);
        Assert.Equal(first, _store.ReleaseIn(5080));
        Assert.Equal("0.2.0-20261201T100000Z", File.ReadAllText(Path.Combine(_store.Bin, "stuff")));
        Assert.Equal(first, _store.Previous());
        // Links are relative, so the tree can be moved or looked at from a rescue system.
        Assert.Equal("slots/5081", new FileInfo(_store.Current).LinkTarget);
    }

    [Fact]
    public void The_previous_release_is_the_newest_one_before_the_live_one_that_has_served()
    {
        var oldest = Release("0.1.0-20261101T000000Z");
        var served = Release("0.1.0-rc.1-20261110T000000Z");
        var neverReady = Release("0.1.0-rc.2-20261115T000000Z");
        var live = Release("0.2.0-20261130T000000Z");
        _store.Point(5080, oldest);
        _store.MakeLive(5080);
        _store.Point(5081, served);
        _store.MakeLive(5081);
        _store.Point(5080, neverReady);
        _store.Point(5080, live);
        _store.MakeLive(5080);

        Assert.Equal([oldest, served, neverReady, live], _store.List());
        Assert.False(ReleaseStore.HasServed(neverReady));
        Assert.Equal(served, _store.Previous());
    }

    [Fact]
    public void A_slot_remembers_when_it_was_pointed_at_its_release_not_when_the_release_was_made()
    {
        var release = Release("0.1.0-20261201T090000Z");
        Directory.SetLastWriteTimeUtc(release, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var before = DateTime.UtcNow.AddSeconds(-2);

        _store.Point(5080, release);

        Assert.InRange(_store.LiveSince(5080)!.Value, before, DateTime.UtcNow.AddSeconds(2));
        Assert.Null(_store.LiveSince(5081));
    }

    [Fact]
    public void Pruning_keeps_the_newest_five_and_any_release_a_slot_names()
    {
        var releases = Enumerable.Range(1, 8).Select(i => Release($"0.1.{i}-202612{i:00}T000000Z")).ToList();
        _store.Point(5080, releases[0]);
        _store.Point(5081, releases[7]);
        _store.MakeLive(5081);

        var deleted = _store.Prune();

        Assert.Equal(releases[1..3], deleted);
        Assert.Equal([releases[0], .. releases[3..]], _store.List());
        Assert.Empty(_store.Surplus());
    }

    [Fact]
    public void A_bin_directory_from_before_releases_becomes_the_link()
    {
        Directory.CreateDirectory(_store.Bin);
        File.WriteAllText(Path.Combine(_store.Bin, "stuff"), "old layout");
        var release = Release("0.2.0-20261201T100000Z");
        _store.Point(5081, release);

        _store.MakeLive(5081);

        Assert.Equal(Path.Combine("current", "bin"), new DirectoryInfo(_store.Bin).LinkTarget);
        Assert.Equal("0.2.0-20261201T100000Z", File.ReadAllText(Path.Combine(_store.Bin, "stuff")));
        Assert.False(Directory.Exists(_store.Bin + ".before-releases"));
    }

    [Fact]
    public void A_slots_instances_take_every_second_port_and_count_by_their_links()
    {
        Assert.Equal([5080, 5082, 5084], ReleaseStore.Ports(5080, 3));
        Assert.Equal([5081, 5083], ReleaseStore.Ports(5081, 2));
        var release = Release("0.1.0-20261201T090000Z");
        _store.Point(5080, release);
        _store.Point(5082, release);
        _store.MakeLive(5080);

        Assert.Equal(2, _store.LiveInstances);
        _store.Unpoint(5082);
        Assert.Equal(1, _store.LiveInstances);
    }

    [Fact]
    public void New_release_names_are_unique_and_carry_the_version()
    {
        var at = new DateTime(2026, 12, 1, 9, 15, 0, DateTimeKind.Utc);
        var first = _store.NewReleasePath("0.1.0+abc", at);
        Assert.Equal("0.1.0-abc-20261201T091500Z", Path.GetFileName(first));
        Directory.CreateDirectory(first);

        Assert.Equal("0.1.0-abc-20261201T091501Z", Path.GetFileName(_store.NewReleasePath("0.1.0+abc", at)));
    }
}
