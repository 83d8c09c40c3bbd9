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

/// <summary>One machine at a time: the host has two cores, and each machine runs Apache, PostgreSQL and the app.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MachineCollection
{
    public const string Name = "disposable servers";
}

/// <summary>
/// A fresh server on which `stuff setup --domain localhost --tls self-signed` ran, once for a
/// test class; <see cref="FirstSetup"/> is what that run printed.
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
        Machine = await ServerMachine.BootAsync();
        FirstSetup = await Machine.RunAsync($"{ServerMachine.Release}/stuff", "setup", "--domain", Domain, "--tls", "self-signed");
    }

    public async Task DisposeAsync()
    {
        if (Machine is not null) await Machine.DisposeAsync();
    }
}
