using Stuff.Server;

namespace Stuff.Doctor;

/// <summary>The host firewall lets HTTP and HTTPS in, where one is active (firewalld or ufw).</summary>
public sealed class FirewallCheck : DoctorCheck
{
    private const string Id = "firewall";
    private const string Name = "Firewall";

    public override async Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        // ufw shows its rules to root only.
        if (!context.IsRoot) return [Finding.Skipped(Id, Name, "needs root: run sudo stuff doctor")];
        FirewallState state;
        try
        {
            state = await new Firewall(context.Shell).ExamineAsync(cancellationToken);
        }
        catch (ServerException e)
        {
            return [Finding.Warning(Id, Name, "the firewall's rules could not be read", e.Message, "sudo firewall-cmd --list-all")];
        }
        if (state.Name is null) return [Finding.Ok(Id, Name, "no host firewall is active (firewalld, ufw)")];
        if (!state.BlocksAny) return [Finding.Ok(Id, Name, $"{state.Name} lets in {FirewallState.Ports(Firewall.WebPorts)}")];
        var blocked = state.BlockedText;
        return [Finding.Failed(Id, Name, $"{state.Name} is active and blocks {blocked}",
            $"visitors cannot reach the site on {blocked}{(state.Blocked.Contains(80) ? " (HTTP: the redirect to HTTPS, and certificates by ACME's http-01)" : "")}; the checks from this host go through loopback and do not see it",
            Firewall.OpenCommandLine(state) + "\nor run setup again, which opens them")];
    }
}
