using System.Text;
using System.Text.Encodings.Web;
using Npgsql;

// What this stack can do at most for the list page: one prepared query, HTML written by hand
// (HTML-encoded, same rows and markup shape as the app), no framework but Kestrel.
// Usage: ceiling "<Npgsql connection string>" http://127.0.0.1:PORT
var connectionString = args.Length > 0 ? args[0] : throw new ArgumentException("connection string expected");
var url = args.Length > 1 ? args[1] : "http://127.0.0.1:5091";

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls(url);
var app = builder.Build();
var dataSource = NpgsqlDataSource.Create(connectionString);
var encoder = HtmlEncoder.Default;

app.Run(async context =>
{
    var after = int.TryParse(context.Request.Query["after"], out var a) ? a : 0;
    await using var command = dataSource.CreateCommand("SELECT id, junk, things, somenum FROM stuff WHERE id > $1 ORDER BY id LIMIT 100");
    command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = after });
    var html = new StringBuilder(32 * 1024);
    html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>All stuff</title></head><body><main><h1>All stuff</h1><table><tbody>");
    await using (var reader = await command.ExecuteReaderAsync())
    {
        while (await reader.ReadAsync())
        {
            html.Append("<tr><td>").Append(encoder.Encode(reader.GetString(1)))
                .Append("</td><td>").Append(encoder.Encode(reader.GetString(2)))
                .Append("</td><td>").Append(reader.GetInt32(3))
                .Append("</td><td><a href=\"/edit/").Append(reader.GetInt32(0)).Append("\">Edit</a></td></tr>");
        }
    }
    html.Append("</tbody></table></main></body></html>");
    context.Response.ContentType = "text/html; charset=utf-8";
    await context.Response.WriteAsync(html.ToString());
});

await app.RunAsync();
