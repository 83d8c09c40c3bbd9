using System.Net;
using System.Net.Sockets;
using Stuff.Server;

namespace Stuff.Tests.Server;

/// <summary>The kernel's socket table, as setup reads it to know when a port is free and when Apache has let go of the old release.</summary>
public sealed class SocketsTests
{
    [Fact]
    public async Task A_listening_port_and_its_connections_are_seen_and_gone_when_closed()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.True(Sockets.IsListening(port));
        Assert.Equal(0, Sockets.Connections(port));

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            using var accepted = await listener.AcceptTcpClientAsync();
            // The server side of the connection is the one on the listening port.
            Assert.Equal(1, Sockets.Connections(port));
        }

        listener.Stop();
        Assert.False(Sockets.IsListening(port));
    }
}
