namespace Stuff.Deploy.Machines;

/// <summary>A test that needs a disposable server: root, the base machine and the published release, as ./test.sh prepares them.</summary>
public sealed class MachineFactAttribute : FactAttribute
{
    public MachineFactAttribute()
    {
        if (ServerMachine.Base is null || ServerMachine.PublishedRelease is null)
            Skip = "needs root, the base machine and the published release: run ./test.sh as root";
    }
}

/// <summary>A theory that needs a disposable server, as <see cref="MachineFactAttribute"/>.</summary>
public sealed class MachineTheoryAttribute : TheoryAttribute
{
    public MachineTheoryAttribute()
    {
        if (ServerMachine.Base is null || ServerMachine.PublishedRelease is null)
            Skip = "needs root, the base machine and the published release: run ./test.sh as root";
    }
}

/// <summary>
/// The deploy tests run in two lanes, one machine at a time in each: the host has two cores, a
/// machine runs Apache, PostgreSQL and the app, and much of a deploy test is waiting on its
/// machine (a certificate's renewal, a backup host, a fresh setup's packages). This lane has
/// the tests whose machine must answer in time (restarts, requests in flight, the doctor).
/// </summary>
[CollectionDefinition(Name)]
public sealed class MachineCollection
{
    public const string Name = "disposable servers";
}

/// <summary>
/// The second lane, beside <see cref="MachineCollection"/>: the tests that mostly wait (the ACME
/// CA's renewals, restic over SFTP) or that set up a fresh machine of their own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SecondLane
{
    public const string Name = "disposable servers, second lane";
}

/// <summary>
/// What `stuff setup --domain localhost --tls self-signed` left on a fresh server, run once per
/// test run in a machine that is then shut down cleanly: its written layer is the starting point
/// of every <see cref="SetUpServer"/>, so the run pays for one setup, not one per test class.
/// </summary>
public static class SetUpImage
{
    private static readonly Lock Gate = new();
    private static Task<(string Layer, CliResult Setup)>? _made;

    /// <summary>The layer and what the setup that made it printed; a failed setup fails every fixture that asks.</summary>
    public static Task<(string Layer, CliResult Setup)> GetAsync()
    {
        lock (Gate) return _made ??= MakeAsync();
    }

    private static async Task<(string Layer, CliResult Setup)> MakeAsync()
    {
        var layer = Path.Combine(ServerMachine.WorkRoot, $"set-up-{Environment.ProcessId}");
        var machine = await ServerMachine.BootAsync();
        CliResult setup;
        try
        {
            setup = await machine.RunAsync($"{ServerMachine.Release}/stuff", "setup", "--domain", SetUpServer.Domain, "--tls", "self-signed");
            if (setup.ExitCode != 0) throw new InvalidOperationException($"setup failed on a fresh machine: {setup}");
        }
        catch
        {
            await machine.DisposeAsync();
            throw;
        }
        await machine.KeepAsLayerAsync(layer);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Directory.Exists(layer)) Directory.Delete(layer, recursive: true);
        };
        return (layer, setup);
    }
}

/// <summary>
/// A server on which `stuff setup --domain localhost --tls self-signed` ran, once for a test
/// class: a machine booted from <see cref="SetUpImage"/>; <see cref="FirstSetup"/> is what that
/// setup printed on the fresh server.
/// </summary>
public sealed class SetUpServer : IAsyncLifetime
{
    public const string Domain = "localhost";
    public const string Site = $"https://{Domain}/stuff/";

    public ServerMachine Machine { get; private set; } = null!;

    public CliResult FirstSetup { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (ServerMachine.Base is null || ServerMachine.PublishedRelease is null) return;
        var (layer, setup) = await SetUpImage.GetAsync();
        FirstSetup = setup;
        Machine = await ServerMachine.BootAsync(layer);
    }

    public async Task DisposeAsync()
    {
        if (Machine is not null) await Machine.DisposeAsync();
    }
}
