using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Stuff.Hosting;

/// <summary>
/// The writer Razor renders pages into. Kestrel sends every write to the response body at once,
/// so the framework's 16K-character buffer sent the list page (about 57 KB) in four writes and
/// four system calls; a buffer that holds a whole page sends it in one.
/// </summary>
public sealed class PageWriterFactory(ArrayPool<byte> bytes, ArrayPool<char> chars) : IHttpResponseStreamWriterFactory
{
    /// <summary>In characters; the buffers come from the shared pools and go back after each response.</summary>
    public const int BufferSize = 64 * 1024;

    public TextWriter CreateWriter(Stream stream, Encoding encoding) =>
        new HttpResponseStreamWriter(stream, encoding, BufferSize, bytes, chars);
}
