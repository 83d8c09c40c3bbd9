using Stuff.Deploy.Machines;

namespace Stuff.Deploy;

/// <summary>deploy/local-server.sh, as a person runs it: start serves the site from a systemd machine, stop leaves nothing behind.</summary>
[Collection(SecondLane.Name)]
[Trait(TestCategory.Name, TestCategory.Deploy)]
public sealed class LocalServerTests
{
    private static readonly string Script = Path.Combine(Repository.Root, "deploy", "local-server.sh");

    [MachineFact]
    public async Task Start_serves_the_site_from_a_systemd_machine_and_stop_removes_it()
    {
        try
        {
            var start = await Processes.RunAsync(Script, ["start", "--release", ServerMachine.PublishedRelease!]);
            Assert.True(start.ExitCode == 0, start.ToString());
            var curl = start.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("curl ", StringComparison.Ordinal));

            // The command it prints reaches the site.
            var answer = await Processes.RunAsync("bash", ["-c", curl + " -s -o /dev/null -w '%{http_code}'"]);
            Assert.Equal("200", answer.Output);
            Assert.StartsWith("running at ", (await Processes.RunAsync(Script, ["status"])).Output);
        }
        finally
        {
            var stop = await Processes.RunAsync(Script, ["stop"]);
            Assert.True(stop.ExitCode == 0, stop.ToString());
        }
        Assert.Equal("not running\n", (await Processes.RunAsync(Script, ["status"])).Output);
        Assert.False(Directory.Exists("/var/tmp/stuff-local-server"));
        Assert.False(Directory.Exists("/sys/class/net/ve-stuff-local"));
    }
}
