using System.Net;

namespace Stuff.Server;

/// <summary>Requests to Apache on this machine, whatever the site's name resolves to from here.</summary>
public static class LocalApache
{
    public static HttpClient Client(bool acceptAnyCertificate, TimeSpan timeout) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (endpoint, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, endpoint.DnsEndPoint.Port, token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, errors) => acceptAnyCertificate || errors == System.Net.Security.SslPolicyErrors.None },
        }, disposeHandler: true)
        { Timeout = timeout };
}
