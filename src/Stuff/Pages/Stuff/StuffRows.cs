using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.Extensions.ObjectPool;
using Stuff.Data;

namespace Stuff.Pages.Stuff;

/// <summary>
/// The list page's table rows, written straight to the response. As Razor markup, each row was
/// some twenty-five pieces (literals, encoded values, attribute parts) that Razor buffered one by
/// one and wrote out one by one, most of the page's rendering cost; here a row is one write.
/// The markup is the same as the rest of the table's in Index.cshtml.
/// </summary>
public sealed class StuffRows(IReadOnlyList<StuffItem> items, string editBase, string deleteBase, HtmlEncoder encoder) : IHtmlAsyncContent
{
    // Rows are gathered into this many characters before they are handed to the response writer.
    private const int ChunkSize = 8 * 1024;

    // The chunks' builders are reused: a new one for every page was a fifth of the bytes the list
    // page allocated (an allocation profile, docs/decisions/0015).
    private static readonly ObjectPool<StringBuilder> Chunks = new DefaultObjectPoolProvider().CreateStringBuilderPool(ChunkSize + 1024, 2 * ChunkSize);

    private readonly string _editBase = encoder.Encode(editBase);
    private readonly string _deleteBase = encoder.Encode(deleteBase);

    /// <summary>Writes synchronously, for writers that are not the response's (a view rendered to a string).</summary>
    public void WriteTo(TextWriter writer, HtmlEncoder htmlEncoder)
    {
        foreach (var item in items) WriteRow(writer, htmlEncoder, item);
    }

    /// <summary>Writes the rows to the response a chunk at a time, with asynchronous writes only.</summary>
    public async ValueTask WriteToAsync(TextWriter writer)
    {
        var chunk = Chunks.Get();
        try
        {
            using var rows = new StringWriter(chunk, CultureInfo.CurrentCulture);
            foreach (var item in items)
            {
                WriteRow(rows, encoder, item);
                if (chunk.Length < ChunkSize) continue;
                await writer.WriteAsync(chunk);
                chunk.Clear();
            }
            if (chunk.Length > 0) await writer.WriteAsync(chunk);
        }
        finally
        {
            Chunks.Return(chunk);
        }
    }

    private void WriteRow(TextWriter writer, HtmlEncoder htmlEncoder, StuffItem item)
    {
        Span<char> id = stackalloc char[11];
        item.Id.TryFormat(id, out var idLength, provider: CultureInfo.InvariantCulture);
        id = id[..idLength];
        // Written three times, encoded once; a value with nothing to encode is returned as it is.
        var junk = htmlEncoder.Encode(item.Junk);

        writer.Write("<tr><td data-label=\"Junk\">");
        writer.Write(junk);
        writer.Write("</td><td class=\"things\" data-label=\"Things\">");
        htmlEncoder.Encode(writer, item.Things);
        writer.Write("</td><td class=\"num\" data-label=\"Some number\">");
        // Formatted as Razor would, in the request's culture.
        htmlEncoder.Encode(writer, item.SomeNum.ToString(CultureInfo.CurrentCulture));
        writer.Write("</td><td class=\"actions\"><a href=\"");
        writer.Write(_editBase);
        writer.Write(id);
        writer.Write("\" aria-label=\"Edit ");
        writer.Write(junk);
        writer.Write("\">Edit</a> · <a href=\"");
        writer.Write(_deleteBase);
        writer.Write(id);
        writer.Write("\" aria-label=\"Delete ");
        writer.Write(junk);
        writer.Write("\">Delete</a></td></tr>\n");
    }
}
