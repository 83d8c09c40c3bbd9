using Stuff.Server;

namespace Stuff.Setup;

/// <summary>
/// The host firewall, only where one is active (firewalld or ufw): HTTP and HTTPS are let in,
/// nothing else is opened or closed. A host without an active firewall is left as it is.
/// </summary>
public sealed class FirewallStep : Step
{
    public override string Name => "Firewall";

    public override IEnumerable<string> Describe(SetupContext context) =>
    [
        "where firewalld runs: firewall-cmd --permanent --add-service=http --add-service=https, then firewall-cmd --reload",
        "where ufw is active: ufw allow 80/tcp; ufw allow 443/tcp",
        "(no active firewall: nothing to do)",
    ];

    public override async Task<string?> CheckAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var state = await new Firewall(context.Shell).ExamineAsync(cancellationToken);
        return state.BlocksAny ? $"{state.Name} blocks {state.BlockedText}" : null;
    }

    public override async Task ApplyAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var firewall = new Firewall(context.Shell);
        var state = await firewall.ExamineAsync(cancellationToken);
        await firewall.OpenAsync(state, cancellationToken);
        var after = await firewall.ExamineAsync(cancellationToken);
        if (after.BlocksAny)
            throw new ServerException($"{after.Name} still blocks {after.BlockedText} after `{Firewall.OpenCommandLine(state)}`; open them by hand and run setup again.");
    }
}
