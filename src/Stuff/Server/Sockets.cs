using System.Net.NetworkInformation;

namespace Stuff.Server;

/// <summary>TCP sockets on this machine's local ports, as the kernel lists them.</summary>
public static class Sockets
{
    /// <summary>Established TCP connections whose local port is this one.</summary>
    public static int Connections(int port) =>
        IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpConnections()
            .Count(c => c.State == TcpState.Established && c.LocalEndPoint.Port == port);

    /// <summary>Something listens on the port.</summary>
    public static bool IsListening(int port) =>
        IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Any(l => l.Port == port);
}
